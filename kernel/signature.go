package kernel

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"sync"
)

// Authenticator signs outgoing messages and verifies incoming ones with the
// connection key, and remembers the signatures it has accepted so that a
// captured message cannot be replayed (jupyter_client keeps the same "digest
// history"). A nil *Authenticator, or one made from an empty key, neither
// signs nor checks: the spec says an empty key disables authentication.
//
// It is safe for concurrent use: the shell, control and stdin readers share
// one, as the digest history must be shared.
type Authenticator struct {
	key []byte

	mu      sync.Mutex
	seen    map[string]struct{}
	order   []string // accepted signatures, oldest first, to forget the oldest
	maxSeen int
}

// defaultDigestHistory is jupyter_client's digest_history_size.
const defaultDigestHistory = 1 << 16

// NewAuthenticator returns an Authenticator for key (hmac-sha256).
func NewAuthenticator(key string) *Authenticator {
	return &Authenticator{
		key:     []byte(key),
		seen:    make(map[string]struct{}),
		maxSeen: defaultDigestHistory,
	}
}

func (a *Authenticator) enabled() bool { return a != nil && len(a.key) > 0 }

// Sign returns the hex HMAC-SHA256 of parts, or an empty signature when
// signing is disabled.
func (a *Authenticator) Sign(parts [][]byte) []byte {
	if !a.enabled() {
		return []byte{}
	}
	mac := a.mac(parts)
	out := make([]byte, hex.EncodedLen(len(mac)))
	hex.Encode(out, mac)
	return out
}

func (a *Authenticator) mac(parts [][]byte) []byte {
	var h hash.Hash = hmac.New(sha256.New, a.key)
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// Verify checks signature against the signed parts (header, parent header,
// metadata, content, in that order) and records it against replays.
func (a *Authenticator) Verify(signature []byte, parts [][]byte) error {
	if !a.enabled() {
		return nil
	}
	if len(signature) == 0 {
		return ErrMissingSignature
	}
	got := make([]byte, hex.DecodedLen(len(signature)))
	if _, err := hex.Decode(got, signature); err != nil {
		return fmt.Errorf("%w: not hex", ErrBadSignature)
	}
	// hmac.Equal is constant-time, so the comparison leaks nothing about how
	// much of a forged signature was right.
	if !hmac.Equal(got, a.mac(parts)) {
		return ErrBadSignature
	}
	return a.remember(string(got))
}

// remember records an accepted signature and refuses one seen before. Only
// valid signatures get here, so garbage cannot fill the history.
func (a *Authenticator) remember(sig string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, dup := a.seen[sig]; dup {
		return ErrReplayed
	}
	a.seen[sig] = struct{}{}
	a.order = append(a.order, sig)
	if len(a.order) > a.maxSeen {
		// Forget the oldest tenth at once, as jupyter_client does, so the
		// cost is amortised rather than paid on every message.
		n := max(a.maxSeen/10, 1)
		for _, old := range a.order[:n] {
			delete(a.seen, old)
		}
		a.order = append(a.order[:0], a.order[n:]...)
	}
	return nil
}
