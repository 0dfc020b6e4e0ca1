package codec

import "testing"

// FuzzDecode feeds the decoder arbitrary bytes, starting from real messages:
// it must return (a value or an error) and never panic, hang or allocate
// beyond its budget.
func FuzzDecode(f *testing.F) {
	for _, msg := range sampleMessages(f) {
		f.Add(msg)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeAnything(t, data)
	})
}
