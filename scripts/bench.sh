#!/usr/bin/env bash
# `make bench`: attend's performance suite (docs/PERFORMANCE.md).
#
# Installs what the suite needs when it is missing (pgbench and psql from
# postgresql-client; smtp-sink and smtp-source from postfix, installed with
# "No configuration" so that no mail system runs), builds the suite
# (bench/, a Go module of its own, so `go test ./...` never sees it) and
# runs it with the arguments given, e.g.
#
#   scripts/bench.sh -parts register,burst
#   scripts/bench.sh -doc docs/PERFORMANCE.md        (what `make bench` runs)
#
# The suite creates and drops its own databases on the PostgreSQL server at
# BENCH_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), and
# starts and stops its own attend and smtp-sink processes, on loopback only.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
log() { printf 'bench: %s\n' "$*" >&2; }

apt_updated=
apt_install() {
	if [[ $(id -u) -ne 0 ]]; then
		log "missing $*: install it (Debian: apt-get install $*) and run again"
		exit 1
	fi
	if [[ -z $apt_updated ]]; then
		apt-get update -qq
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 "$@" >/dev/null
}

have() { command -v "$1" >/dev/null || [[ -x /usr/sbin/$1 ]]; }

if ! have pgbench || ! have psql; then
	log "installing postgresql-client (pgbench, psql)"
	apt_install postgresql-client
fi
if ! have smtp-sink || ! have smtp-source; then
	log "installing postfix for smtp-sink and smtp-source (no mail system is configured or started)"
	if [[ $(id -u) -eq 0 ]]; then
		echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	fi
	apt_install postfix
fi

admin=${BENCH_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
if ! psql -X -q "$admin" -c 'SELECT 1' >/dev/null 2>&1; then
	log "PostgreSQL does not answer at $admin; start it or set BENCH_ADMIN_URL"
	exit 1
fi

mkdir -p var/bin
(cd bench && go build -o ../var/bin/attend-bench ./cmd/attend-bench)
export BENCH_COMMAND=${BENCH_COMMAND:-scripts/bench.sh $*}
exec var/bin/attend-bench -admin-url "$admin" "$@"
