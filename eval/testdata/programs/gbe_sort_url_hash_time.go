// Go by Example-style: several small programs of one kind, pasted as one.
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

type byLength []string

func (s byLength) Len() int           { return len(s) }
func (s byLength) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }
func (s byLength) Less(i, j int) bool { return len(s[i]) < len(s[j]) }

func main() {
	fruits := []string{"peach", "banana", "kiwi"}
	sort.Sort(byLength(fruits))
	fmt.Println(fruits)
	people := []struct {
		Name string
		Age  int
	}{{"A", 30}, {"B", 20}}
	sort.Slice(people, func(i, j int) bool { return people[i].Age < people[j].Age })
	fmt.Println(people)
	u, _ := url.Parse("postgres://user:pass@host.com:5432/path?k=v#f")
	fmt.Println(u.Scheme, u.User.Username(), u.Hostname(), u.Port(), u.Path, u.Query()["k"], u.Fragment)
	h := sha256.Sum256([]byte("hola"))
	fmt.Printf("%x\n", h[:4])
	fmt.Println(base64.StdEncoding.EncodeToString([]byte("abc123!?$*&()'-=@~")))
	f, _ := strconv.ParseFloat("1.234", 64)
	i, _ := strconv.ParseInt("123", 0, 64)
	_, err := strconv.Atoi("wat")
	fmt.Println(f, i, err)
	sc := bufio.NewScanner(strings.NewReader("uno\ndos\ntres"))
	for sc.Scan() {
		fmt.Println(strings.ToUpper(sc.Text()))
	}
	t := time.Date(2009, 11, 17, 20, 34, 58, 651387237, time.UTC)
	fmt.Println(t.Format(time.RFC3339), t.Weekday(), t.Add(36*time.Hour).Format("2006-01-02 15:04"))
	d, _ := time.ParseDuration("1h15m30.918273645s")
	fmt.Println(d.Round(time.Second), d.Truncate(time.Minute))
}
