package main

import (
	"errors"
	"fmt"
	"strconv"
)

type ValidationError struct {
	Field string
	Code  int
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("field %s invalid (code %d)", e.Field, e.Code)
}

func validate(age int) error {
	if age < 0 {
		return fmt.Errorf("validate: %w", &ValidationError{"age", 42})
	}
	return nil
}

func main() {
	err := validate(-1)
	var ve *ValidationError
	if errors.As(err, &ve) {
		fmt.Println("field:", ve.Field, "code:", ve.Code)
	}
	fmt.Println(err)
	_, err = strconv.Atoi("x")
	var ne *strconv.NumError
	fmt.Println(errors.As(err, &ne), ne.Func, ne.Num, ne.Err)
}
