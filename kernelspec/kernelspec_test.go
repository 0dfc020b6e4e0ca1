package kernelspec

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"gomp/logo"
)

const fakeExe = "/opt/gomp/bin/gomp"

func readSpec(t *testing.T, dir string) Spec {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s Spec
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("kernel.json: %v\n%s", err, b)
	}
	return s
}

func TestInstallPrefix(t *testing.T) {
	prefix := t.TempDir()
	dir, err := Install(Options{Prefix: prefix, Executable: fakeExe})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(prefix, "share", "jupyter", "kernels", "gomp"); dir != want {
		t.Fatalf("dir = %s, want %s", dir, want)
	}
	want := Spec{
		Argv:          []string{fakeExe, "kernel", "{connection_file}"},
		DisplayName:   "Go (mp)",
		Language:      "go",
		InterruptMode: "signal",
		Metadata:      map[string]any{"debugger": false},
	}
	if got := readSpec(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("kernel.json = %+v, want %+v", got, want)
	}
	for name, data := range map[string][]byte{"logo-32x32.png": logo.PNG32, "logo-64x64.png": logo.PNG64} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, data) {
			t.Errorf("%s differs from the embedded logo", name)
		}
	}
	checkFiles(t, dir)
}

// checkFiles checks that dir holds exactly the kernelspec's files, readable
// by everyone (a --sys-prefix install serves every user), and no leftovers of
// the atomic writes.
func checkFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && info.Mode().Perm()&0o444 != 0o444 {
			t.Errorf("%s has mode %v, want readable by all", e.Name(), info.Mode())
		}
	}
	if want := []string{"kernel.json", "logo-32x32.png", "logo-64x64.png"}; !reflect.DeepEqual(names, want) {
		t.Errorf("files = %v, want %v", names, want)
	}
}

func TestInstallIsIdempotent(t *testing.T) {
	prefix := t.TempDir()
	opts := Options{Prefix: prefix, Executable: fakeExe}
	dir1, err := Install(opts)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(filepath.Join(dir1, "kernel.json"))
	// A changed binary path replaces the old one; installing the same again
	// changes nothing.
	if _, err := Install(Options{Prefix: prefix, Executable: "/elsewhere/gomp"}); err != nil {
		t.Fatal(err)
	}
	if got := readSpec(t, dir1).Argv[0]; got != "/elsewhere/gomp" {
		t.Errorf("argv[0] = %s after reinstall, want /elsewhere/gomp", got)
	}
	dir2, err := Install(opts)
	if err != nil {
		t.Fatal(err)
	}
	if dir2 != dir1 {
		t.Errorf("second install went to %s, first to %s", dir2, dir1)
	}
	second, _ := os.ReadFile(filepath.Join(dir2, "kernel.json"))
	if !bytes.Equal(first, second) {
		t.Errorf("kernel.json changed between identical installs:\n%s\n%s", first, second)
	}
	checkFiles(t, dir2)
}

func TestInstallOptions(t *testing.T) {
	prefix := t.TempDir()
	dir, err := Install(Options{
		Prefix:        prefix,
		Name:          "gomp-message",
		DisplayName:   "Go (mp, message interrupts)",
		Executable:    fakeExe,
		InterruptMode: "message",
		Env:           map[string]string{"GOMAXPROCS": "2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(dir) != "gomp-message" {
		t.Errorf("dir = %s", dir)
	}
	s := readSpec(t, dir)
	if s.InterruptMode != "message" || s.DisplayName != "Go (mp, message interrupts)" || s.Env["GOMAXPROCS"] != "2" {
		t.Errorf("kernel.json = %+v", s)
	}
}

func TestRelativeExecutableAndPrefixBecomeAbsolute(t *testing.T) {
	tmp := t.TempDir()
	t.Chdir(tmp)
	dir, err := Install(Options{Prefix: "p", Executable: "bin/gomp"})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(tmp, "p", "share", "jupyter", "kernels", "gomp"); dir != want {
		t.Errorf("dir = %s, want %s", dir, want)
	}
	if got, want := readSpec(t, dir).Argv[0], filepath.Join(tmp, "bin", "gomp"); got != want {
		t.Errorf("argv[0] = %s, want %s", got, want)
	}
}

func TestDefaultExecutableIsRunningBinary(t *testing.T) {
	s, err := New(Options{})
	// The test binary itself lives in a go-build temporary directory, which
	// New refuses; either way it must not silently write a wrong path.
	if err == nil {
		exe, _ := os.Executable()
		if s.Argv[0] != exe {
			t.Errorf("argv[0] = %s, want %s", s.Argv[0], exe)
		}
	} else if !strings.Contains(err.Error(), "go run") {
		t.Errorf("unexpected error: %v", err)
	}
}

func TestUserDir(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("the XDG rules tested here are those of Linux and other Unixes")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("JUPYTER_DATA_DIR", "")
	for _, tc := range []struct {
		name, env, val, want string
	}{
		{"home", "", "", filepath.Join(home, ".local", "share", "jupyter", "kernels", "gomp")},
		{"xdg", "XDG_DATA_HOME", filepath.Join(home, "xdg"), filepath.Join(home, "xdg", "jupyter", "kernels", "gomp")},
		{"jupyter_data_dir", "JUPYTER_DATA_DIR", filepath.Join(home, "jd"), filepath.Join(home, "jd", "kernels", "gomp")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv(tc.env, tc.val)
			}
			for _, opts := range []Options{{}, {User: true}} {
				opts.Executable = fakeExe
				dir, err := Install(opts)
				if err != nil {
					t.Fatal(err)
				}
				if dir != tc.want {
					t.Errorf("Install(%+v) = %s, want %s", opts, dir, tc.want)
				}
			}
		})
	}
}

// fakeJupyter puts a `jupyter` script on PATH whose #! line is line, and a
// fake python that answers sys.prefix with prefix.
func fakeJupyter(t *testing.T, line func(python string) string, prefix string) {
	t.Helper()
	bin := t.TempDir()
	python := filepath.Join(bin, "fakepython")
	script := "#!/bin/sh\n[ \"$1\" = -c ] && echo " + prefix + "\n"
	if err := os.WriteFile(python, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "jupyter"), []byte(line(python)+"\nimport sys\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func TestSysPrefix(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses #! scripts")
	}
	for name, line := range map[string]func(string) string{
		"direct": func(p string) string { return "#!" + p },
		"args":   func(p string) string { return "#!" + p + " -E" },
		"env":    func(string) string { return "#!/usr/bin/env fakepython" },
		"env -S": func(string) string { return "#!/usr/bin/env -S fakepython -E" },
	} {
		t.Run(name, func(t *testing.T) {
			venv := t.TempDir()
			fakeJupyter(t, line, venv)
			dir, err := Install(Options{SysPrefix: true, Executable: fakeExe})
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(venv, "share", "jupyter", "kernels", "gomp"); dir != want {
				t.Errorf("dir = %s, want %s", dir, want)
			}
		})
	}
}

func TestSysPrefixWithoutJupyter(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Install(Options{SysPrefix: true, Executable: fakeExe})
	if err == nil || !strings.Contains(err.Error(), "jupyter") {
		t.Errorf("err = %v, want one that says jupyter is missing", err)
	}
}

func TestBadOptions(t *testing.T) {
	for _, opts := range []Options{
		{User: true, Prefix: "/x"},
		{User: true, SysPrefix: true},
		{SysPrefix: true, Prefix: "/x"},
		{Prefix: "/x", Name: "Go Kernel"},
		{Prefix: "/x", Name: "../evil"},
		{Prefix: "/x", Name: "GOMP"},
		{Prefix: "/x", InterruptMode: "sigint"},
	} {
		opts.Executable = fakeExe
		if dir, err := Install(opts); err == nil {
			t.Errorf("Install(%+v) = %s, want an error", opts, dir)
		}
	}
}

// The kernel.json template at the top of the repository documents what Install
// writes; it must not drift from it.
func TestTemplateMatchesInstall(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	// With the env block `gomp install` adds by default (main_test.go
	// checks that one against mp's default).
	s, err := New(Options{Executable: "/x/gomp", Env: map[string]string{"GOMP_MAX_PROCESSES": "64"}})
	if err != nil {
		t.Fatal(err)
	}
	s.Argv[0] = "gomp"
	if got := s.JSON(); !bytes.Equal(got, b) {
		t.Errorf("../kernel.json differs from what Install writes (with argv[0] = gomp):\n%s\nwant:\n%s", b, got)
	}
}
