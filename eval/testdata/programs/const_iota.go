package main

import "fmt"

type Weekday int

const (
	Sunday Weekday = iota
	Monday
	Tuesday
)

func (d Weekday) String() string {
	return [...]string{"Dom", "Lun", "Mar"}[d]
}

type Size uint

const (
	_       = iota
	KB Size = 1 << (10 * iota)
	MB
	GB
)

const big = 1 << 100

func main() {
	fmt.Println(Sunday, Tuesday, Monday+1)
	fmt.Printf("%d %v %T\n", Tuesday, Tuesday, Tuesday)
	fmt.Println(KB, MB, GB)
	fmt.Println(big >> 98)
	const typed float64 = 1 / 3.0
	fmt.Printf("%.4f\n", typed)
}
