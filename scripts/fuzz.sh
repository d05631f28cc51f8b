#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 1m), one
# after the other; `go test -fuzz` takes one target at a time. Findings are
# written to the package's testdata/fuzz directory, where they become
# regression cases for `make test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
time=${FUZZTIME:-1m}
failed=0
for pkg in $(go list ./...); do
	for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
		echo "==> $pkg $target ($time)"
		if ! go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$time"; then
			failed=1
		fi
	done
done
exit $failed
