package main

import (
	"fmt"
	"math"
)

func main() {
	f := 3.99
	fmt.Println(int(f), int(-f), math.Round(f), math.Floor(-f))
	var u8 uint8 = 250
	u8 += 10
	fmt.Println(u8)
	var i8 int8 = 127
	i8++
	fmt.Println(i8)
	fmt.Println(7/2, -7/2, 7%3, -7%3, 7.0/2)
	fmt.Println(1<<10, 0xff&0x0f, 6|1, 6^3, 10&^2)
	fmt.Println(math.Sqrt(2), math.MaxInt64, math.Inf(1), -math.MaxFloat64 < 0)
	fmt.Printf("%.3f %v\n", math.Pi, math.NaN() == math.NaN())
	fmt.Println(float32(0.1), float64(float32(0.1)) == 0.1)
}
