package main

import (
	"fmt"
	"time"
)

func main() {
	t := time.Date(2024, time.February, 28, 22, 30, 0, 0, time.UTC)
	fmt.Println(t)
	next := t.Add(3 * time.Hour)
	fmt.Println(next.Format("2006-01-02 15:04"), next.Weekday(), next.YearDay())
	fmt.Println(next.Sub(t), t.Before(next), t.Month())
	parsed, err := time.Parse(time.RFC3339, "2025-12-24T18:00:00Z")
	fmt.Println(parsed.Year(), parsed.Hour(), err)
	fmt.Println(t.AddDate(0, 1, 1).Format(time.DateOnly))
}
