package eval

import (
	"strings"

	"gomp/backend"
)

// helpTarget recognises IPython's help syntax in a cell: `?fmt.Println`,
// `fmt.Println?`, and `??x` / `x??` for more detail. It returns the symbol and
// detail level.
func helpTarget(code string) (helpQuery, bool) {
	c := strings.TrimSpace(code)
	if strings.Contains(c, "\n") || c == "" {
		return helpQuery{}, false
	}
	q := helpQuery{}
	switch {
	case strings.HasPrefix(c, "??"):
		q.symbol, q.detail = c[2:], 1
	case strings.HasPrefix(c, "?"):
		q.symbol = c[1:]
	case strings.HasSuffix(c, "??"):
		q.symbol, q.detail = c[:len(c)-2], 1
	case strings.HasSuffix(c, "?"):
		q.symbol = c[:len(c)-1]
	default:
		return helpQuery{}, false
	}
	q.symbol = strings.TrimSpace(q.symbol)
	for _, r := range q.symbol {
		if !(r == '.' || r == '_' || r == '/' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127) {
			return helpQuery{}, false
		}
	}
	return q, q.symbol != ""
}

type helpQuery struct {
	symbol string
	detail int
}

// helpPage answers a help cell with a "page" payload, as IPython does: the
// frontend shows it in its pager.
func (s *Session) helpPage(code string) (map[string]any, bool) {
	q, ok := helpTarget(code)
	if !ok {
		return nil, false
	}
	data, found := s.inspectSymbol(q.symbol, q.detail, true) // Execute holds the session
	if !found {
		data = backend.MIMEBundle{"text/plain": "No documentation found for " + q.symbol}
	}
	return map[string]any{"source": "page", "data": data, "start": 0}, true
}
