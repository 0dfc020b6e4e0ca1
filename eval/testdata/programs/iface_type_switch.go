package main

import "fmt"

type Celsius float64

func classify(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case int:
		return fmt.Sprintf("int %d", x)
	case string:
		return fmt.Sprintf("string of %d bytes", len(x))
	case []int:
		return fmt.Sprintf("slice %v", x)
	case error:
		return "error " + x.Error()
	case fmt.Stringer:
		return "stringer " + x.String()
	case Celsius:
		return fmt.Sprintf("%.1f°C", float64(x))
	default:
		return fmt.Sprintf("other %T", x)
	}
}

func main() {
	for _, v := range []any{nil, 42, "hola", []int{1}, fmt.Errorf("bad"), Celsius(21.5), 3.5, struct{}{}} {
		fmt.Println(classify(v))
	}
}
