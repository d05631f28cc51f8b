#!/usr/bin/env bash
# Supply-chain checks: `go mod verify` and govulncheck against the Go
# vulnerability database.
#
# The database is built locally from the golang.org/x/vulndb module (served
# by the Go module proxy like any module), so the check needs no other
# network access. Any called vulnerability fails the check, in third-party
# modules and in the standard library of the toolchain that builds attend
# (GOTOOLCHAIN, set by the Makefile and .ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VULN_VERSION=${VULN_VERSION:-v1.9.0}
VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}
cache=${VULNDB_CACHE:-${TMPDIR:-/tmp}/attend-vulndb-$VULNDB_VERSION}

go mod verify

if [[ ! -s $cache/index/db.json ]]; then
	echo "vulncheck: building the vulnerability database ($VULNDB_VERSION)"
	src=$(go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	rm -rf "$cache.tmp"
	GOFLAGS=-mod=mod go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION" -vulns "$src/data/osv" -out "$cache.tmp"
	rm -rf "$cache" && mv "$cache.tmp" "$cache"
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
# govulncheck is built by, and reads the standard library of, the running Go:
# a binary built by one Go version is not reused under another.
bin=$cache-bin-$(go env GOVERSION)
[[ -x $bin/govulncheck ]] || GOBIN=$bin go install "golang.org/x/vuln/cmd/govulncheck@$VULN_VERSION"
"$bin/govulncheck" -db "file://$cache" ./... >"$out" 2>&1 || status=$?
cat "$out"
if [[ $status -ne 0 && $status -ne 3 ]]; then
	echo "vulncheck: govulncheck failed to run (exit $status)" >&2
	exit "$status"
fi
# "Found in: module@version" lines; the standard library shows as pkg@goX.Y.Z.
modules=$(grep -E '^[[:space:]]*Found in: ' "$out" | grep -vE '@go[0-9]' || true)
stdlib=$(grep -E '^[[:space:]]*Found in: .*@go[0-9]' "$out" | sort -u || true)
if [[ -n $stdlib ]]; then
	echo
	echo "vulncheck: FAIL: the Go toolchain ($(go env GOVERSION)) has called vulnerabilities;" >&2
	echo "vulncheck: they are fixed by a newer Go (see 'Fixed in' above; GOTOOLCHAIN in the Makefile):" >&2
	echo "$stdlib" >&2
fi
if [[ -n $modules ]]; then
	echo
	echo "vulncheck: FAIL: vulnerable third-party modules are called:" >&2
	echo "$modules" | sort -u >&2
fi
if [[ -n $stdlib || -n $modules || $status -eq 3 ]]; then
	exit 1
fi
echo "vulncheck: no called vulnerabilities ($(go env GOVERSION))"
