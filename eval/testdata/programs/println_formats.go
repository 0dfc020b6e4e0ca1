package main

import "math"

func main() {
	// The builtins write to standard error, in the runtime's formats.
	println("floats:", 2.5, -0.125, 1e300, 1e-7, float32(0.1), math.Inf(-1), math.NaN())
	println("ints:", 42, -7, uint8(200), 'x', int64(math.MinInt64))
	println("complex:", complex(1, -2), complex(0.5, 3))
	print("no ", "spaces", 1, 2, "\n")
	println()
}
