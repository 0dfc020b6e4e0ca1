// Go by Example-style: several small programs of one kind, pasted as one.
package main

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"unicode"
)

type Weekday int

const (
	Sunday Weekday = iota
	Monday
	_
	Wednesday
)

type Op func(int, int) int

type Animal interface {
	Sound() string
}

type Dog struct{ name string }

func (d *Dog) Sound() string { return d.name + ": guau" }

type Cat struct{ name string }

func (c Cat) Sound() string { return c.name + ": miau" }

type Account struct {
	Owner   string
	Balance float64
}

func (a *Account) Deposit(x float64) { a.Balance += x }
func (a Account) String() string     { return fmt.Sprintf("%s: %.2f", a.Owner, a.Balance) }

func apply(op Op, a, b int) int { return op(a, b) }

func main() {
	fmt.Println(Sunday, Monday, Wednesday)
	animals := []Animal{&Dog{"rex"}, Cat{"tom"}}
	for _, a := range animals {
		fmt.Println(a.Sound())
	}
	acc := Account{"ana", 10}
	acc.Deposit(5)
	dep := acc.Deposit
	dep(2.5)
	fmt.Println(acc, &acc)
	fmt.Printf("%v|%s|%+v\n", acc, acc, []Account{acc})
	accounts := map[string]*Account{"bo": {"bo", 1}}
	accounts["bo"].Deposit(1)
	fmt.Println(accounts["bo"].Balance)
	arr := [3]int{1, 2, 3}
	arr2 := arr
	arr2[0] = 9
	fmt.Println(arr, arr2)
	fmt.Println(apply(func(a, b int) int { return a * b }, 6, 7))
	var x uint8 = 255
	x++
	fmt.Println(x, 7&3, 7|8, 1<<10, -7/2, -7%2, math.MaxInt64)
	fmt.Println(math.Sqrt(2), math.Inf(1), math.Floor(-2.5), math.Round(2.5))
	fmt.Printf("%.3e %g %8.3f|%-8.3f|\n", 123456.789, 1e21, math.Pi, math.E)
	var buf bytes.Buffer
	buf.WriteString("hola ")
	fmt.Fprintf(&buf, "%d", 42)
	fmt.Println(buf.String(), buf.Len())
	r := strings.NewReplacer("a", "1", "b", "2")
	fmt.Println(r.Replace("abcab"))
	var name string
	var age int
	n, err := fmt.Sscanf("ana 30", "%s %d", &name, &age)
	fmt.Println(n, err, name, age)
	cnt := 0
	for _, ch := range "Hola, Mundo 123" {
		if unicode.IsUpper(ch) || unicode.IsDigit(ch) {
			cnt++
		}
	}
	fmt.Println(cnt, strings.Map(unicode.ToUpper, "ñandú"), []rune("ñandú")[0], string(rune(65)))
	i := 0
loop:
	if i < 3 {
		i++
		goto loop
	}
	fmt.Println("goto", i)
	switch {
	case i > 2:
		fmt.Println("big")
		fallthrough
	case i > 100:
		fmt.Println("fell through")
	default:
		fmt.Println("no")
	}
}
