package help

import "testing"

// BenchmarkLookupFirst measures a Shift-Tab on a package not seen yet:
// reading and parsing fmt from GOROOT, then finding Println.
func BenchmarkLookupFirst(b *testing.B) {
	withSources(b)
	for b.Loop() {
		idx := newIndex(goroot)
		if _, ok := idx.lookup("fmt", "Println"); !ok {
			b.Fatal("not found")
		}
	}
}

// BenchmarkLookupFirstNetHTTP is the same for one of the largest packages.
func BenchmarkLookupFirstNetHTTP(b *testing.B) {
	withSources(b)
	for b.Loop() {
		idx := newIndex(goroot)
		if _, ok := idx.lookup("net/http", "Server"); !ok {
			b.Fatal("not found")
		}
	}
}

// BenchmarkLookupCached measures every later lookup in the same package.
func BenchmarkLookupCached(b *testing.B) {
	idx := withSources(b)
	idx.lookup("fmt", "Println")
	for b.Loop() {
		if _, ok := idx.lookup("fmt", "Println"); !ok {
			b.Fatal("not found")
		}
	}
}

// BenchmarkLookupWithoutSources measures the reflection fallback.
func BenchmarkLookupWithoutSources(b *testing.B) {
	idx := newIndex(func() string { return "" })
	for b.Loop() {
		if _, ok := idx.lookup("fmt", "Println"); !ok {
			b.Fatal("not found")
		}
	}
}

func BenchmarkMembers(b *testing.B) {
	for b.Loop() {
		Members("strings")
	}
}
