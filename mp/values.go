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
	return encodeCounted(vs, codec.EncodeOptions{Namer: h})
}

// encodeLenient encodes global variables: what cannot be copied (a
// channel, a func, a field of one of those kinds) arrives as its zero value.
func encodeLenient(h Host, vs []reflect.Value) ([]byte, error) {
	return encodeCounted(vs, codec.EncodeOptions{Namer: h, Lenient: true})
}

// copyable tells why v cannot be sent (nil if it can), without sending it:
// how a failed message finds which of its values was the culprit.
func copyable(h Host, v reflect.Value) error {
	_, err := codec.EncodeValues([]reflect.Value{v}, codec.EncodeOptions{Namer: h})
	return err
}

// encodeCounted encodes values and, when that succeeded, counts the copies
// of pipe ends the message carries (a message that failed half-way carries
// none).
func encodeCounted(vs []reflect.Value, opts codec.EncodeOptions) ([]byte, error) {
	var t transit
	opts.Shared = t.add
	b, err := codec.EncodeValues(vs, opts)
	if err == nil {
		t.count(1)
	}
	return b, err
}

// decodeValues decodes in this process; an invalid Value stands for nil or
// for a value that was not copied (its receiver takes the zero value).
func decodeValues(h Host, data []byte) ([]reflect.Value, error) {
	return codec.DecodeValues(data, codec.DecodeOptions{Resolver: h, Shared: sharedResolver{}})
}
