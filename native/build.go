package native

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"plugin"
	"sort"
	"strings"
	"sync"
	"time"
)

// Cache builds plugins into a directory, one file per content hash, so a
// source built once (in this kernel, an earlier one, or by install.sh's
// warm-up) is only opened the next time.
type Cache struct {
	fingerprint string // of the build settings (Toolchain.fingerprint)
	dir         string
}

// DefaultDir is the cache directory under the user's cache dir.
func DefaultDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the cache directory: %w", err)
	}
	return filepath.Join(base, "gomp", "native"), nil
}

// NewCache makes a cache in dir (created, mode 0700: a plugin is code this
// user's kernels will run) for plugins of this binary's build settings.
// It runs no command, so keys and paths are known at once; building needs
// a Toolchain (Detect).
func NewCache(dir string) (*Cache, error) {
	tc, err := readSettings()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("making the plugin cache %s: %w", dir, err)
	}
	trim(dir, MaxCacheBytes)
	return &Cache{fingerprint: tc.fingerprint, dir: dir}, nil
}

// MaxCacheBytes bounds the cache: every redefinition of a compiled function
// adds a plugin of a few MB, so a cache shared by every kernel of the user
// is trimmed, least recently used first, when a kernel starts using it.
const MaxCacheBytes = 512 << 20

// trim removes the least recently used plugins until the cache holds at
// most max bytes, and build directories an interrupted build left (older
// than an hour: a build under way elsewhere is younger).
func trim(dir string, max int64) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type plugin struct {
		path string
		size int64
		used time.Time
	}
	var plugins []plugin
	var total int64
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue
		}
		path := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir() && strings.HasPrefix(e.Name(), "build-") && time.Since(info.ModTime()) > time.Hour:
			os.RemoveAll(path)
		case !e.IsDir() && strings.HasSuffix(e.Name(), ".so"):
			plugins = append(plugins, plugin{path, info.Size(), info.ModTime()})
			total += info.Size()
		}
	}
	sort.Slice(plugins, func(i, j int) bool { return plugins[i].used.Before(plugins[j].used) })
	for _, p := range plugins {
		if total <= max {
			break
		}
		if os.Remove(p.path) == nil {
			total -= p.size
		}
	}
}

// Unit is the source of one plugin: a package main whose exported functions
// the caller looks up. Its module path is derived from its hash, so two
// plugins never share a package path (the runtime refuses to load a second
// plugin with the same one).
type Unit struct {
	Source string // the package's single file, package clause and imports included
}

// Key is the unit's content hash with the toolchain's settings.
func (c *Cache) Key(u Unit) string {
	sum := sha256.Sum256([]byte(c.fingerprint + "\x00" + u.Source))
	return hex.EncodeToString(sum[:16])
}

// Path is where the unit's plugin is, once built.
func (c *Cache) Path(key string) string { return filepath.Join(c.dir, key+".so") }

// Build returns the path of the unit's plugin, building it when the cache
// does not have it. A failed build's error carries the compiler's output.
func (c *Cache) Build(ctx context.Context, tc *Toolchain, u Unit) (string, error) {
	key := c.Key(u)
	out := c.Path(key)
	if _, err := os.Stat(out); err == nil {
		now := time.Now()
		os.Chtimes(out, now, now) // used: trim keeps it
		return out, nil
	}
	dir, err := os.MkdirTemp(c.dir, "build-")
	if err != nil {
		return "", fmt.Errorf("making a build directory: %w", err)
	}
	defer os.RemoveAll(dir)
	mod := "module gompnative/n" + key + "\n\ngo 1.26\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o600); err != nil {
		return "", fmt.Errorf("writing the plugin's go.mod: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(u.Source), 0o600); err != nil {
		return "", fmt.Errorf("writing the plugin's source: %w", err)
	}
	tmp := filepath.Join(dir, "plugin.so")
	args := append([]string{"build", "-buildmode=plugin", "-o", tmp}, tc.flags...)
	cmd := tc.command(ctx, dir, append(args, ".")...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("go build -buildmode=plugin: %v: %s", err, strings.TrimSpace(string(msg)))
	}
	// Another kernel may be building the same unit: rename is atomic, and
	// either copy is the same code.
	if err := os.Rename(tmp, out); err != nil {
		return "", fmt.Errorf("storing the plugin: %w", err)
	}
	return out, nil
}

// opened are the plugins this process loaded, by file name (the content
// hash): the runtime loads a package path once, so the same plugin in
// another cache directory is the one already loaded.
var opened sync.Map

// Open loads a built plugin.
func Open(path string) (*Library, error) {
	if l, ok := opened.Load(filepath.Base(path)); ok {
		return l.(*Library), nil
	}
	p, err := plugin.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening the plugin %s: %w", filepath.Base(path), err)
	}
	l, _ := opened.LoadOrStore(filepath.Base(path), &Library{p: p})
	return l.(*Library), nil
}

// Library is a loaded plugin.
type Library struct{ p *plugin.Plugin }

// Lookup returns an exported function or variable of the plugin (a
// function's value, a variable's pointer).
func (l *Library) Lookup(name string) (any, error) {
	sym, err := l.p.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("plugin symbol %s: %w", name, err)
	}
	return sym, nil
}
