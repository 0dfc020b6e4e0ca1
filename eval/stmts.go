package eval

import (
	"context"
	"go/ast"
	"go/token"
	"reflect"
	"strings"

	"gomp/backend"
)

// runStmts runs a unit of statements; for the cell's last unit, a final bare
// expression's value is returned as the cell's result.
//
// A statement that declares again a global the session has (x := 2 after
// x := 1, or var x = 2) assigns it instead: yaegi would make a new variable
// that functions compiled earlier never see. When the new value's type does
// not fit, the interpreter is rebuilt without the old variable and the
// declaration runs as written.
func (s *Session) runStmts(ctx context.Context, u unit, code, label string, last bool, facts *cellFacts) (backend.MIMEBundle, error) {
	p, err := parseUnit(u)
	if err != nil {
		return nil, err
	}
	base := unitEdits(p, facts)
	final := finalExprEdits(p, last, facts)
	var names []string
	var reuse []edit
	if declaresAtTopLevel(p) {
		names, reuse = redeclarations(p, globalsOf(s.in))
	}

	// Variants to try, in order: with the redeclarations as assignments (if
	// any), then as written; each first with the final expression shown
	// (a call that returns nothing does not compile so), then without.
	type variant struct {
		edits   []edit
		shows   bool
		asIs    bool // redeclarations as written
		firstAs bool // first variant of its redeclaration mode
	}
	var variants []variant
	for _, asIs := range []bool{false, true} {
		if !asIs && len(names) == 0 {
			continue
		}
		e := append([]edit(nil), base...)
		if !asIs {
			e = append(e, reuse...)
		}
		first := true
		if final != nil {
			variants = append(variants, variant{append(append([]edit(nil), e...), final...), true, asIs, first})
			first = false
		}
		variants = append(variants, variant{e, false, asIs, first})
	}

	var firstErr error
	for _, v := range variants {
		if v.asIs && v.firstAs && len(names) > 0 {
			// The declarations do not fit as assignments: make room for
			// them as new variables.
			drop := map[string]bool{}
			for _, n := range names {
				drop[n] = true
			}
			if err := s.rebuild(nil, drop); err != nil {
				return nil, err
			}
		}
		prog, err := s.compile(stmtText(applyEdits(p.text, v.edits)), code, label)
		if err != nil {
			if firstErr == nil || !v.shows {
				firstErr = err
			}
			continue
		}
		s.takeResult()
		if _, err := s.run(ctx, prog); err != nil {
			return nil, err
		}
		if v.shows {
			return s.takeResult(), nil
		}
		return nil, nil
	}
	return nil, firstErr
}

// finalExprEdits wraps the unit's last statement, when it is a bare
// expression worth showing, in a call of the result helper.
func finalExprEdits(p *parsedUnit, last bool, facts *cellFacts) []edit {
	if !last || len(p.body) == 0 {
		return nil
	}
	es, ok := p.body[len(p.body)-1].(*ast.ExprStmt)
	if !ok {
		return nil
	}
	start, end := p.off(es.X.Pos()), p.off(es.X.End())
	if !facts.showable(es.X, start, end, p) {
		return nil
	}
	return []edit{{start, start, runtimePkg + ".Show("}, {end, end, ")"}}
}

// declaresAtTopLevel reports whether a unit has a top-level := or var.
func declaresAtTopLevel(p *parsedUnit) bool {
	for _, st := range p.body {
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE {
				return true
			}
		case *ast.DeclStmt:
			return true
		}
	}
	return false
}

// redeclarations finds top-level statements that declare only names that
// are already globals, and the edits that turn them into assignments.
func redeclarations(p *parsedUnit, globals map[string]reflect.Value) ([]string, []edit) {
	var names []string
	var edits []edit
	allKnown := func(ids []*ast.Ident) bool {
		some := false
		for _, id := range ids {
			if id.Name == "_" {
				continue
			}
			if _, ok := globals[id.Name]; !ok {
				return false
			}
			some = true
		}
		return some
	}
	for _, st := range p.body {
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok != token.DEFINE {
				continue
			}
			var ids []*ast.Ident
			for _, l := range st.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					ids = append(ids, id)
				}
			}
			if len(ids) != len(st.Lhs) || !allKnown(ids) {
				continue
			}
			for _, id := range ids {
				names = append(names, id.Name)
			}
			at := p.off(st.TokPos)
			edits = append(edits, edit{at, at + 2, "="})
		case *ast.DeclStmt:
			gd, ok := st.Decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			// A grouped var is written as one statement per spec: the
			// known ones as assignments, the others as var statements.
			var specEdits []edit
			known := false
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				start, end := p.off(vs.Pos()), p.off(vs.End())
				if !gd.Lparen.IsValid() {
					start, end = p.off(gd.Pos()), p.off(gd.End())
				}
				if !allKnown(vs.Names) {
					specEdits = append(specEdits, edit{start, start, "var "})
					continue
				}
				known = true
				var lhs []string
				for _, id := range vs.Names {
					lhs = append(lhs, id.Name)
					names = append(names, id.Name)
				}
				if len(vs.Values) > 0 {
					specEdits = append(specEdits, edit{start, p.off(vs.Values[0].Pos()), strings.Join(lhs, ", ") + " = "})
					continue
				}
				typ := p.text[p.off(vs.Type.Pos()):p.off(vs.Type.End())]
				zeros := make([]string, len(lhs))
				for i := range zeros {
					zeros[i] = "*new(" + typ + ")"
				}
				specEdits = append(specEdits, edit{start, end, strings.Join(lhs, ", ") + " = " + strings.Join(zeros, ", ")})
			}
			if !known {
				continue
			}
			if gd.Lparen.IsValid() {
				edits = append(edits,
					edit{p.off(gd.Pos()), p.off(gd.Lparen) + 1, ""},
					edit{p.off(gd.Rparen), p.off(gd.Rparen) + 1, ""})
			}
			edits = append(edits, specEdits...)
		}
	}
	return names, edits
}
