#!/usr/bin/env bash
# test.sh runs every test of gomp: formatting and vet, all Go tests with the
# race detector (jupytertest included: it drives the built kernel with real
# Jupyter clients, and builds it with -race too), and short fuzz runs of the
# wire decoder and the connection-file reader. .ci/run calls it after
# installing Jupyter; on a machine without Jupyter the jupytertest tests skip
# and say so (with CI=true they fail instead).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	PATH=/usr/local/go/bin:$PATH
fi

unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "test.sh: not gofmt-formatted:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...
# -count=1: jupytertest builds the kernel itself, so Go's test cache cannot
# tell when the code under test changed.
go test -race -count=1 -timeout 30m ./...
# The tests that run interpreted goroutines sharing closures are built only
# without -race (yaegi's closure code races internally; see
# eval/concurrent_test.go): run that package once more without it.
go test -count=1 -timeout 10m ./eval

# Fuzzing: a few seconds each, in CI too; a failure leaves its input under
# kernel/testdata/fuzz/ to be committed as a regression test.
fuzztime=${FUZZTIME:-10s}
for target in FuzzDecodeMessage FuzzParseConnection; do
	# Listed into a variable first: with pipefail, grep -q closing the pipe
	# early could fail go test with SIGPIPE.
	listed=$(go test -list "^$target\$" ./kernel)
	if ! grep -qx "$target" <<<"$listed"; then
		echo "test.sh: fuzz target $target is missing from ./kernel" >&2
		exit 1
	fi
	go test -run '^$' -fuzz "^$target\$" -fuzztime "$fuzztime" ./kernel
done
# The manager's message decoder reads what any TCP peer sends; the pool's
# parsers and the value codec read what other processes wrote.
go test -run '^$' -fuzz '^FuzzDecodeManagerMessage$' -fuzztime "$fuzztime" ./mp
go test -run '^$' -fuzz '^FuzzPoolWire$' -fuzztime "$fuzztime" ./mp
go test -run '^$' -fuzz '^FuzzDecode$' -fuzztime "$fuzztime" ./mp/codec
# The kernel reads what its session process sends, a process cells can break.
go test -run '^$' -fuzz '^FuzzReadFrame$' -fuzztime "$fuzztime" ./backend/remote
