package eval

import (
	"go/scanner"
	"go/token"
	"strings"
)

// unitKind says how a piece of a cell is evaluated.
type unitKind int

const (
	unitImport unitKind = iota // import declarations: evaluated first, once per package
	unitDecl                   // func, method, type and const declarations: the session's log
	unitStmts                  // statements and var declarations, run in source order
)

func (k unitKind) String() string {
	switch k {
	case unitImport:
		return "import"
	case unitDecl:
		return "decl"
	default:
		return "statements"
	}
}

// piece is one top-level statement or declaration of a cell, as byte offsets
// into the cell's source. A comment is a piece of kind unitComment: every
// unit keeps the comments, so a declaration keeps its doc comment.
type piece struct {
	kind       unitKind
	start, end int
}

// unitComment marks a comment piece; it joins no unit of its own.
const unitComment unitKind = -1

// unit is a run of consecutive pieces of one kind. Its text keeps the cell's
// line structure: everything outside the unit is blanked to spaces, newlines
// kept, so the line numbers yaegi reports are the cell's own.
type unit struct {
	kind   unitKind
	pieces []piece
	text   string
	funcs  bool // a declarations unit of funcs and methods
}

// packageOrder arranges a cell's pieces in the order of Go's package
// scope, where every declaration is visible to the whole package: the
// imports, then the types and constants, then the functions and methods
// (whose bodies may use any of those), then the statements in the cell's
// order, as a program's main runs them after the package is declared.
func packageOrder(cs *cellSource) []unit {
	var units []unit
	add := func(kind unitKind, pieces []piece, funcs bool) {
		if len(pieces) > 0 {
			units = append(units, unit{kind: kind, pieces: pieces, text: keepOnly(cs.code, pieces, cs.comments), funcs: funcs})
		}
	}
	var typesConsts, funcs []piece
	for _, p := range cs.decls {
		if strings.HasPrefix(cs.code[p.start:], "func") {
			funcs = append(funcs, p)
		} else {
			typesConsts = append(typesConsts, p)
		}
	}
	add(unitImport, cs.imports, false)
	add(unitDecl, typesConsts, false)
	add(unitDecl, funcs, true)
	add(unitStmts, cs.stmts, false)
	return units
}

// splitCell cuts a cell into top-level pieces with go/scanner, so that a cell
// may mix imports, declarations and statements in any order (yaegi rejects a
// source that mixes import with statements). It does not need the cell to
// parse: a syntax error is left for the parser to report with a position.
func splitCell(src string) []piece {
	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(src))
	var s scanner.Scanner
	s.Init(file, []byte(src), nil, scanner.ScanComments) // errors surface later, from the parser

	type tok struct {
		pos int
		tok token.Token
		lit string
	}
	var toks []tok
	var pieces []piece
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		if t == token.COMMENT {
			off := file.Offset(pos)
			pieces = append(pieces, piece{kind: unitComment, start: off, end: off + len(lit)})
			continue
		}
		toks = append(toks, tok{file.Offset(pos), t, lit})
	}

	depth := 0
	start := -1 // index into toks of the current piece's first token
	flush := func(endTok int) {
		if start < 0 {
			return
		}
		first := toks[start]
		end := len(src)
		if endTok < len(toks) {
			end = toks[endTok].pos
		}
		kinds := make([]token.Token, 0, endTok-start)
		for _, t := range toks[start:endTok] {
			kinds = append(kinds, t.tok)
		}
		kind := classify(kinds)
		pieces = append(pieces, piece{kind: kind, start: first.pos, end: trimEnd(src, first.pos, end)})
		start = -1
	}
	// header is set between a top-level for, if or switch and its body's
	// brace: the semicolons written there (for i := 0; ; i++) are the
	// header's, not ends of statements.
	header := false
	for i, t := range toks {
		switch t.tok {
		case token.FOR, token.IF, token.SWITCH:
			if depth == 0 {
				header = true
			}
		case token.LPAREN, token.LBRACK, token.LBRACE:
			if t.tok == token.LBRACE && depth == 0 {
				header = false
			}
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth > 0 {
				depth--
			}
		}
		if t.tok == token.SEMICOLON && depth == 0 && !(header && t.lit == ";") {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(toks))
	return pieces
}

// classify tells a top-level piece's kind from its first tokens.
func classify(toks []token.Token) unitKind {
	n := len(toks)
	at := func(i int) token.Token { return toks[i] }
	switch at(0) {
	case token.IMPORT:
		return unitImport
	case token.TYPE, token.CONST:
		return unitDecl
	case token.FUNC:
		if n > 1 && at(1) == token.IDENT {
			return unitDecl // func name(...)
		}
		if n > 1 && at(1) == token.LPAREN {
			// A method has a receiver list followed by its name; a function
			// literal has its parameters followed by results or a body.
			depth := 0
			for i := 1; i < n; i++ {
				switch at(i) {
				case token.LPAREN:
					depth++
				case token.RPAREN:
					depth--
					if depth == 0 {
						if i+1 < n && at(i+1) == token.IDENT && i+2 < n && (at(i+2) == token.LPAREN || at(i+2) == token.LBRACK) {
							return unitDecl
						}
						return unitStmts
					}
				}
			}
		}
		return unitStmts
	}
	return unitStmts
}

// trimEnd drops trailing spaces and comments' trailing newlines from a piece.
func trimEnd(src string, start, end int) int {
	for end > start && strings.ContainsRune(" \t\r\n;", rune(src[end-1])) {
		end--
	}
	return end
}

// groupUnits joins consecutive pieces of the same kind into units and gives
// each its line-preserving text.
func groupUnits(src string, pieces []piece) []unit {
	var units []unit
	var comments []piece
	for _, p := range pieces {
		if p.kind == unitComment {
			comments = append(comments, p)
			continue
		}
		if n := len(units); n > 0 && units[n-1].kind == p.kind {
			units[n-1].pieces = append(units[n-1].pieces, p)
			continue
		}
		units = append(units, unit{kind: p.kind, pieces: []piece{p}})
	}
	for i := range units {
		units[i].text = keepOnly(src, units[i].pieces, comments)
	}
	return units
}

// keepOnly returns src with every byte outside pieces replaced by a space,
// newlines kept, and the pieces separated by semicolons where they shared a
// line; trailing blank lines are dropped.
func keepOnly(src string, pieces, comments []piece) string {
	b := []byte(src)
	out := make([]byte, len(b))
	for i, c := range b {
		if c == '\n' {
			out[i] = '\n'
		} else {
			out[i] = ' '
		}
	}
	for _, p := range pieces {
		copy(out[p.start:p.end], b[p.start:p.end])
		if p.end < len(out) && out[p.end] == ' ' {
			out[p.end] = ';'
		}
	}
	for _, c := range comments {
		copy(out[c.start:c.end], b[c.start:c.end])
	}
	return strings.TrimRight(string(out), " \n\t;")
}
