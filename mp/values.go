package mp

import (
	"reflect"

	"gomp/mp/codec"
)

// Values cross to a child through package codec, with the Host naming and
// resolving the notebook's types. These three functions are the only
// place mp calls it for a Process.

// encodeStrict encodes values that must all be copied (a target's receiver,
// its arguments): one that cannot be is an error, which says what it is.
func encodeStrict(h Host, vs []reflect.Value) ([]byte, error) {
	return codec.EncodeValues(vs, codec.EncodeOptions{Namer: h})
}

// encodeLenient encodes global variables: what cannot be copied (a
// channel, a func, a field of one of those kinds) arrives as its zero value.
func encodeLenient(h Host, vs []reflect.Value) ([]byte, error) {
	return codec.EncodeValues(vs, codec.EncodeOptions{Namer: h, Lenient: true})
}

// decodeValues decodes in this process; an invalid Value stands for nil or
// for a value that was not copied (its receiver takes the zero value).
func decodeValues(h Host, data []byte) ([]reflect.Value, error) {
	return codec.DecodeValues(data, codec.DecodeOptions{Resolver: h, Shared: sharedResolver{}})
}
