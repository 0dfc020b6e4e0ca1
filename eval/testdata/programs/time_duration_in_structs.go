package main

import (
	"fmt"
	"time"
)

type Job struct {
	Name    string
	Timeout time.Duration
}

func main() {
	j := Job{"backup", 90 * time.Second}
	fmt.Println(j)
	fmt.Printf("%+v\n", j)
	fmt.Printf("%v %d\n", j.Timeout, j.Timeout)
	var total time.Duration
	for _, ms := range []int{150, 275, 1200} {
		total += time.Duration(ms) * time.Millisecond
	}
	fmt.Println(total, total.Milliseconds(), total/3)
	fmt.Println(time.Duration(1500)*time.Microsecond, 3*time.Nanosecond, 36*time.Hour)
	fmt.Println((2 * time.Hour).String(), time.Minute.Seconds())
}
