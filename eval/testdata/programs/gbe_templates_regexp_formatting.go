// Go by Example-style: several small programs of one kind, pasted as one.
package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"text/template"
)

type Person struct {
	Name string
	Age  int
}

func main() {
	t := template.Must(template.New("t").Parse("Hola {{.Name}}, tienes {{.Age}} años\n{{range .Tags}}- {{.}}\n{{end}}"))
	t.Execute(os.Stdout, map[string]any{"Name": "Ana", "Age": 30, "Tags": []string{"a", "b"}})
	t2 := template.Must(template.New("p").Parse("{{.Name}} ({{.Age}})\n"))
	t2.Execute(os.Stdout, Person{"Bo", 7})
	r := regexp.MustCompile(`p([a-z]+)ch`)
	fmt.Println(r.MatchString("peach"), r.FindStringSubmatch("peach punch"), r.ReplaceAllStringFunc("a peach", strings.ToUpper))
	fmt.Printf("|%6.2f|%-6s|%06d|%x|%q|%U|\n", 3.14159, "go", 42, "hex", "q", 0x1F600)
}
