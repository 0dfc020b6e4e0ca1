package mp

import (
	"fmt"
	"strconv"
)

// stringOf renders a panic value the way Go's runtime prints it after
// "panic: ": an error's message, a Stringer's string, otherwise %v.
func stringOf(v any) string {
	switch x := v.(type) {
	case error:
		return x.Error()
	case fmt.Stringer:
		return x.String()
	case string:
		return x
	default:
		return fmt.Sprint(v)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
