package kernel

import (
	"fmt"
	"testing"
)

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "anything", true},
		{"a*", "abc", true},
		{"a*", "ba", false},
		{"*c", "abc", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*fmt*", "import \"fmt\"", true},
		{"fmt", "import fmt", false}, // the whole input must match
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
		{"**", "x", true},
		{"?", "é", true},     // one character, not one byte
		{"A*", "abc", false}, // case-sensitive, like sqlite GLOB
	}
	for _, c := range cases {
		if got := globMatch(c.pattern, c.s); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v", c.pattern, c.s, got)
		}
	}
}

func historyOf(inputs ...string) *history {
	h := newHistory()
	for _, in := range inputs {
		h.add(in)
	}
	return h
}

func lineNumbers(es []historyEntry) string {
	var ls []int
	for _, e := range es {
		ls = append(ls, e.line)
	}
	return fmt.Sprint(ls)
}

func TestHistoryTailAndRange(t *testing.T) {
	h := historyOf("a", "b", "c", "d")
	for n, want := range map[int]string{0: "[]", 2: "[3 4]", 10: "[1 2 3 4]", -1: "[]"} {
		if got := lineNumbers(h.tail(n)); got != want {
			t.Errorf("tail(%d) = %s, want %s", n, got, want)
		}
	}
	stop := func(n int) *int { return &n }
	for _, c := range []struct {
		session, start int
		stop           *int
		want           string
	}{
		{0, 1, stop(2), "[1]"},
		{0, 2, stop(4), "[2 3]"},
		{0, 2, nil, "[2 3 4]"},
		{currentSession, 3, stop(100), "[3 4]"},
		{0, 0, nil, "[1 2 3 4]"},
		{0, 3, stop(3), "[]"},
		{-1, 1, nil, "[]"}, // earlier sessions are not kept
		{7, 1, nil, "[]"},
	} {
		if got := lineNumbers(h.lines(c.session, c.start, c.stop)); got != c.want {
			t.Errorf("lines(%d, %d, %v) = %s, want %s", c.session, c.start, c.stop, got, c.want)
		}
	}
}

func TestHistorySearch(t *testing.T) {
	h := historyOf("x := 1", "print(x)", "x := 1", "y := 2", "x := 1", "x := 3")
	for _, c := range []struct {
		pattern string
		n       int
		unique  bool
		want    string
	}{
		{"x*", 0, false, "[1 3 5 6]"},
		{"x*", 2, false, "[5 6]"},
		{"x*", 0, true, "[5 6]"}, // the latest of each distinct input
		{"x*", 1, true, "[6]"},
		{"*(x)", 0, false, "[2]"},
		{"z*", 0, false, "[]"},
	} {
		if got := lineNumbers(h.search(c.pattern, c.n, c.unique)); got != c.want {
			t.Errorf("search(%q, n=%d, unique=%v) = %s, want %s", c.pattern, c.n, c.unique, got, c.want)
		}
	}
}

func TestHistoryOutput(t *testing.T) {
	h := historyOf("1", "print")
	h.setOutput(1, "1")
	h.setOutput(9, "ignored")
	es := h.tail(2)
	if es[0].output == nil || *es[0].output != "1" || es[1].output != nil {
		t.Errorf("outputs %v %v", es[0].output, es[1].output)
	}
}
