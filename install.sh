#!/usr/bin/env bash
# install.sh builds the gomp binary and registers it as a Jupyter kernel.
#
#   ./install.sh                  build ./bin/gomp, register for this user
#   ./install.sh --sys-prefix     register in the Python environment that runs
#                                 `jupyter` (a JupyterHub or a virtualenv)
#   ./install.sh --prefix DIR     register in DIR/share/jupyter, binary in DIR/bin
#   ./install.sh --name NAME      register under another kernel name
#   ./install.sh --bindir DIR     put the binary in DIR instead
#   ./install.sh --max-processes N  let a kernel have N live child processes
#                                 (kernel.json env GOMP_MAX_PROCESSES; default 64)
#
# For a hub: sudo ./install.sh --prefix /usr/local (every user's Jupyter
# looks in /usr/local/share/jupyter). Running it again rebuilds the binary
# and rewrites the same kernelspec.
set -euo pipefail

usage() { sed -n '2,17s/^# \{0,1\}//p' "$0"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bindir=""
where=(--user)
name=()
limits=()
while [ $# -gt 0 ]; do
	case $1 in
	--user) where=(--user) ;;
	--sys-prefix) where=(--sys-prefix) ;;
	--prefix)
		[ $# -ge 2 ] || die "--prefix needs a directory"
		mkdir -p "$2"
		prefix=$(cd "$2" && pwd)
		where=(--prefix "$prefix")
		shift
		;;
	--prefix=*)
		mkdir -p "${1#*=}"
		prefix=$(cd "${1#*=}" && pwd)
		where=(--prefix "$prefix")
		;;
	--name)
		[ $# -ge 2 ] || die "--name needs a kernel name"
		name=(--name "$2")
		shift
		;;
	--name=*) name=(--name "${1#*=}") ;;
	--max-processes)
		[ $# -ge 2 ] || die "--max-processes needs a number"
		limits=(--max-processes "$2")
		shift
		;;
	--max-processes=*) limits=(--max-processes "${1#*=}") ;;
	--bindir)
		[ $# -ge 2 ] || die "--bindir needs a directory"
		bindir=$2
		shift
		;;
	--bindir=*) bindir=${1#*=} ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown option: $1" ;;
	esac
	shift
done

# Go: the machine's own install may not be on PATH yet.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	PATH=/usr/local/go/bin:$PATH
fi
command -v go >/dev/null 2>&1 || die "Go is not installed (no \`go\` on PATH).
  gomp needs Go 1.26 or newer. Install it from go.dev/dl (it unpacks to /usr/local/go;
  then add /usr/local/go/bin to PATH). Debian's golang-go package also works if it is
  Go 1.21 or newer: that go downloads the Go version go.mod asks for by itself."
gominor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ -n "$gominor" ] && [ "$gominor" -lt 21 ]; then
	die "$(go env GOVERSION) is too old: gomp needs Go 1.26 (Go 1.21 or newer fetches it by itself)."
fi

# Jupyter: the kernel is of no use without it, and --sys-prefix asks it where
# to register.
command -v jupyter >/dev/null 2>&1 || die "Jupyter is not installed (no \`jupyter\` on PATH).
  Debian/Ubuntu: sudo apt-get install jupyter-notebook jupyter-client jupyter-console jupyter-nbconvert
  elsewhere:     pip install jupyterlab   (or notebook); then run ./install.sh again."

if [ -z "$bindir" ]; then
	if [ "${where[0]}" = --prefix ]; then
		bindir=${where[1]}/bin
	else
		bindir=$here/bin
	fi
fi
mkdir -p "$bindir"
bindir=$(cd "$bindir" && pwd)

echo "==> building $bindir/gomp with $(go env GOVERSION)"
(cd "$here" && go build -o "$bindir/gomp" .)
echo "    $("$bindir/gomp" version)"

# The compiled tier builds cells' pure functions as Go plugins; the first
# plugin build on a machine compiles the standard library for plugins
# (10-20 s). Do it now, into Go's build cache, so the first notebook does not
# wait for it. Without cgo (no C compiler) the tier is off and cells run
# interpreted.
echo "==> warming the compiled tier's build cache (go build -buildmode=plugin)"
warm=$(mktemp -d)
printf 'module gompwarm\n\ngo 1.26\n' >"$warm/go.mod"
printf 'package main\n\nimport (\n\t"math"\n\t"sync/atomic"\n)\n\nvar Stop atomic.Bool\n\nfunc F(x float64) float64 { return math.Sqrt(x) }\n' >"$warm/main.go"
if (cd "$warm" && CGO_ENABLED=1 GOFLAGS= GOWORK=off go build -buildmode=plugin -o plugin.so . 2>"$warm/err"); then
	echo "    done"
else
	echo "    the compiled tier is unavailable here (cells run interpreted): $(head -1 "$warm/err")"
fi
rm -rf "$warm"

echo "==> registering the kernel: gomp install ${where[*]}${name[*]:+ ${name[*]}}${limits[*]:+ ${limits[*]}}"
"$bindir/gomp" install "${where[@]}" "${name[@]}" "${limits[@]}"

# Listing kernelspecs imports ipykernel, whose debugger warns on stderr about
# things that do not concern gomp; keep that out of the report.
kname=${name[1]:-gomp}
listed=$(PYDEVD_DISABLE_FILE_VALIDATION=1 jupyter kernelspec list 2>/dev/null | awk -v k="$kname" '$1 == k')
if [ -n "$listed" ]; then
	echo "==> done: Jupyter lists the kernel:"
	echo "$listed"
	echo "    try: jupyter console --kernel $kname"
else
	echo "==> done, but \`jupyter kernelspec list\` does not show \"$kname\" yet."
	if [ "${where[0]}" = --prefix ]; then
		echo "    Jupyter looks in ${where[1]}/share/jupyter only when told:"
		echo "    export JUPYTER_PATH=${where[1]}/share/jupyter"
	fi
fi
