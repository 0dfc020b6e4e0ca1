// A program whose body eval's fmtnames_test.go runs as a cell, comparing
// what it prints with want.txt, which `go run main.go` printed.
package main

import (
	"errors"
	"fmt"
)

type bad struct{ n int }

func (b bad) String() string { panic("boom") }

type node struct{ v int }

func (n *node) String() string { return fmt.Sprint("node", n.v) }

type quoted struct{ s string }

func (q quoted) GoString() string { return "Q(" + q.s + ")" }

type tempErr struct{ code int }

func (e tempErr) Error() string { return fmt.Sprintf("temporary failure %d", e.code) }

type level int

func (l level) String() string { return [...]string{"low", "high"}[l] }

type money struct{ cents int }

func (m money) Format(f fmt.State, verb rune) {
	w, _ := f.Width()
	fmt.Fprintf(f, "%c$%d.%02d/%d/%v", verb, m.cents/100, m.cents%100, w, f.Flag('+'))
}

type pair struct {
	Left  *node
	right *node
}

func main() {
	var n *node
	fmt.Println([]bad{{1}}, n, []*node{n, {2}})
	fmt.Printf("%v|%#v|%+v\n", []quoted{{"a"}}, []quoted{{"a"}}, []quoted{{"a"}})
	errs := []error{tempErr{1}, errors.New("plain")}
	fmt.Println(errs, map[string]tempErr{"k": {2}})
	fmt.Printf("%v|%s|%q\n", []tempErr{{3}}, []tempErr{{4}}, []tempErr{{5}})
	p := pair{&node{1}, &node{2}}
	fmt.Printf("%v %+v\n", p.Left, pair{}.Left)
	fmt.Println(fmt.Sprint([]any{&node{3}, bad{}}))
	xs := []any{level(1), &node{5}, level(0)}
	fmt.Println(xs...)
	fmt.Printf("%v|%T|%d\n", xs...)
	var a any = level(1)
	fmt.Println(a, level(0))
	fmt.Printf("%v|%+v|%6d|%s\n", []money{{123}}, map[string]money{"a": {5}}, []money{{7}}, struct{ M money }{money{9}})
	var none any
	var e error
	var s fmt.Stringer
	ys := []any{nil, e, s, level(1)}
	fmt.Println(none, e, s, ys)
	fmt.Printf("%v %T %d|%T\n", none, e, none, ys)
	fmt.Printf("%v|%v|%v|%v\n", ys...)
	var lp *level
	fmt.Println(lp, []any{lp})
	wrapped := fmt.Errorf("in %v: %w", []*node{{4}}, errs[1])
	fmt.Println(wrapped, errors.Is(wrapped, errs[1]))
}
