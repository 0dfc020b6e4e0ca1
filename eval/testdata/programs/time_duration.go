package main

import (
	"fmt"
	"time"
)

func main() {
	d := 90 * time.Minute
	fmt.Println(d, d.Hours(), d.Minutes())
	fmt.Println(1500*time.Millisecond, 2*time.Second+300*time.Millisecond)
	fmt.Println(time.Duration(5), time.Duration(0), -3*time.Second)
	fmt.Printf("%v %d %s %T\n", time.Second, time.Millisecond, 42*time.Microsecond, d)
	p, err := time.ParseDuration("1h15m30.5s")
	fmt.Println(p, err, p.Round(time.Minute), p.Truncate(time.Hour))
	fmt.Println(time.Duration(1<<63-1) > time.Hour)
	timeout := 250 * time.Millisecond
	fmt.Println(timeout.Seconds(), timeout/10, timeout*4)
}
