package mp

import "testing"

// FuzzPoolWire feeds the pool's payload parsers what a broken or hostile
// worker could send: they must return an error, never panic or allocate
// without bound.
func FuzzPoolWire(f *testing.F) {
	f.Add(appendTaskPayload(nil, 3, 2, 1, []byte("args")))
	f.Add(appendResultPayload(nil, chunkResult{}))
	f.Add(appendFuncPayload(nil, "worker", []byte{1, 2}))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, p []byte) {
		parseTask(p)
		parseResult(p)
		parseFunc(p)
	})
}
