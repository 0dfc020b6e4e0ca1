package kernel

import (
	"fmt"
	"log"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// What peers can make the kernel log is bounded, so that a flood of garbage
// does not become a flood of log lines: every line about a peer or a
// message it sent goes through a peerLog, which lets a burst of lines
// through and then about one a second, counting the others and saying how
// many it suppressed; and every field a peer chose (a msg_type, a comm
// target, an identity) is clipped before it is formatted.

const (
	// logBurst lines pass at once; then one per logInterval.
	logBurst    = 20
	logInterval = time.Second
	// maxLogLine bounds one line about a peer.
	maxLogLine = 1 << 10
	// maxLogField bounds one field a peer chose.
	maxLogField = 64
)

// peerLog is a rate-limited log for lines a peer can cause.
type peerLog struct {
	out *log.Logger

	mu         sync.Mutex
	tokens     float64
	last       time.Time // when tokens was last topped up
	suppressed int       // lines dropped since the last one written
}

func newPeerLog(out *log.Logger) *peerLog {
	return &peerLog{out: out, tokens: logBurst, last: time.Now()}
}

// Printf logs a line, unless the rate is exceeded. The first line let
// through after some were suppressed is preceded by their count.
func (l *peerLog) Printf(format string, args ...any) {
	l.mu.Lock()
	now := time.Now()
	l.tokens = min(logBurst, l.tokens+float64(now.Sub(l.last))/float64(logInterval))
	l.last = now
	if l.tokens < 1 {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	l.tokens--
	n := l.suppressed
	l.suppressed = 0
	l.mu.Unlock()
	if n > 0 {
		l.out.Printf("(%d similar log lines suppressed)", n)
	}
	l.out.Print(clip(fmt.Sprintf(format, args...), maxLogLine))
}

// flush reports lines suppressed since the last line written; Serve calls it
// as it returns.
func (l *peerLog) flush() {
	l.mu.Lock()
	n := l.suppressed
	l.suppressed = 0
	l.mu.Unlock()
	if n > 0 {
		l.out.Printf("(%d similar log lines suppressed)", n)
	}
}

// logger is a *log.Logger that writes through l, for the socket code.
func (l *peerLog) logger() *log.Logger {
	return log.New(peerLogWriter{l}, "", 0)
}

type peerLogWriter struct{ l *peerLog }

func (w peerLogWriter) Write(p []byte) (int, error) {
	w.l.Printf("%s", strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// clip shortens s to at most n bytes (cut at a rune boundary), saying how
// long it was.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…(%d bytes)", s[:cut], len(s))
}

// field clips a value a peer chose for the log.
func field(s string) string { return clip(s, maxLogField) }
