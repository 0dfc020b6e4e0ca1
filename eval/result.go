package eval

import (
	"context"
	"fmt"
	"reflect"

	"gomp/backend"
)

// show receives the values of a cell's final bare expression (rewritten as
// __gomp.Show(expr)); a call returning several values passes them all.
func (s *Session) show(vals ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.result = append([]any(nil), vals...)
	s.hasResult = true
}

// takeResult returns the shown value as a MIME bundle, nil when none.
func (s *Session) takeResult() backend.MIMEBundle {
	s.mu.Lock()
	vals, ok := s.result, s.hasResult
	s.result, s.hasResult = nil, false
	s.mu.Unlock()
	if !ok {
		return nil
	}
	return backend.MIMEBundle{"text/plain": s.formatResult(vals)}
}

// formatValue shows one value of a result as Go's %v does, strings quoted
// (%q) the way Python shows a repr; sprintf is the printer that knows the
// session's types (typefmt), or fmt's.
func formatValue(v any, sprintf func(string, ...any) string) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case nil:
		return "<nil>"
	case error:
		return sprintf("%v", x)
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.String && rv.Type().PkgPath() == "" {
		return fmt.Sprintf("%q", v)
	}
	return sprintf("%v", v)
}

// userExpressions evaluates execute_request's user_expressions after the
// cell, each to a result bundle or an error, as the spec asks.
func (s *Session) userExpressions(ctx context.Context, exprs map[string]string, label string) map[string]any {
	out := make(map[string]any, len(exprs))
	for name, expr := range exprs {
		code := runtimePkg + ".Show(" + expr + ")"
		prog, err := s.compile(code, expr, label)
		if err == nil {
			_, err = s.run(ctx, prog)
		}
		if err != nil {
			e := s.toError(ctx, err)
			out[name] = map[string]any{"status": "error", "ename": e.Name, "evalue": e.Value, "traceback": e.Traceback}
			continue
		}
		data := s.takeResult()
		if data == nil {
			data = backend.MIMEBundle{"text/plain": ""}
		}
		out[name] = map[string]any{"status": "ok", "data": data, "metadata": map[string]any{}}
	}
	return out
}
