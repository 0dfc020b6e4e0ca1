package eval

import (
	"go/scanner"
	"go/token"
	"strings"

	"gomp/backend"
)

// IsComplete tells a console whether code is ready to run: brackets still
// open, an unterminated raw string or a line ending in an operator mean
// "incomplete"; other syntax errors mean "invalid".
func (s *Session) IsComplete(code string) backend.Completeness {
	if strings.TrimSpace(code) == "" {
		return backend.Completeness{Status: "complete"}
	}
	if _, ok := helpTarget(code); ok {
		return backend.Completeness{Status: "complete"}
	}
	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(code))
	var sc scanner.Scanner
	unterminated := false
	sc.Init(file, []byte(code), func(pos token.Position, msg string) {
		if strings.Contains(msg, "not terminated") {
			unterminated = true
		}
	}, 0)
	depth := 0
	last := token.ILLEGAL
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		}
		if depth < 0 {
			return backend.Completeness{Status: "invalid"}
		}
		if !(tok == token.SEMICOLON && lit == "\n") {
			last = tok
		}
	}
	if unterminated || depth > 0 {
		return backend.Completeness{Status: "incomplete", Indent: strings.Repeat("\t", max(depth, 0))}
	}
	if last.IsOperator() && last != token.RPAREN && last != token.RBRACK && last != token.RBRACE && last != token.INC && last != token.DEC && last != token.SEMICOLON {
		return backend.Completeness{Status: "incomplete", Indent: "\t"}
	}
	for _, u := range groupUnits(code, splitCell(code)) {
		if _, err := parseUnit(u); err != nil {
			return backend.Completeness{Status: "invalid"}
		}
	}
	return backend.Completeness{Status: "complete"}
}
