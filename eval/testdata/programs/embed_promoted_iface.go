package main

import "fmt"

type Logger struct{ prefix string }

func (l Logger) Log(msg string) { fmt.Println(l.prefix + msg) }

type Service struct {
	*Logger
	name string
}

type logs interface{ Log(string) }

func main() {
	s := Service{&Logger{"[svc] "}, "api"}
	s.Log("starting " + s.name)
	var l logs = s
	l.Log("via interface")
	s.prefix = "[changed] "
	s.Log("after change")
}
