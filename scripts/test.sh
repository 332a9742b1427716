#!/usr/bin/env bash
# The whole test suite: formatting, vet, staticcheck, unit and integration
# tests with the race detector, the long end-to-end and crash-safety tests,
# and a short run of every fuzz target. Needs only Go (and the module proxy
# for staticcheck); it installs nothing else yet.
#
#   bash scripts/test.sh            # everything (about 5–8 minutes on 2 cores)
#   FUZZTIME=30s bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME="${FUZZTIME:-10s}"
step() { printf '\n=== %s\n' "$*"; }

step "gofmt"
unformatted="$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"
if [ -n "$unformatted" ]; then
	echo "not gofmt-ed:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "staticcheck"
if go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./... 2>/tmp/staticcheck.err; then
	echo "staticcheck: clean"
elif grep -qE 'dial tcp|no such host|proxy|module lookup disabled|i/o timeout' /tmp/staticcheck.err; then
	echo "staticcheck: not reachable, skipped"; cat /tmp/staticcheck.err | tail -3
else
	cat /tmp/staticcheck.err; exit 1
fi

step "unit and integration tests (race detector, -short)"
go test -race -short -count=1 ./...

step "end-to-end: 1,000 letters both ways; crash safety with SIGKILL"
go test -count=1 -run 'TestExchange1000BothWays|TestCrashSafety' -v ./cmd/parley 2>&1 | grep -E '^(=== RUN|--- |PASS|FAIL|ok|panic)|crash|seed' || true
go test -count=1 -run 'TestExchange1000BothWays|TestCrashSafety' ./cmd/parley

step "fuzz targets, $FUZZTIME each"
for pkg in $(go list ./...); do
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		echo "--- $pkg $target"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 200x "$pkg"
	done
done

step "demo"
go run ./cmd/parley demo >/dev/null && echo "demo: ok"

echo; echo "ALL TESTS PASSED"
