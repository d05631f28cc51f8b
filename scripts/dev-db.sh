#!/usr/bin/env bash
# Runs a private PostgreSQL cluster for development under ./var/pg.
#
#   scripts/dev-db.sh        create the cluster on first run (with an "attend"
#                            database), start it if it is not running, and print
#                            its DATABASE_URL as the last line of stdout
#   scripts/dev-db.sh stop   stop it
#
# It listens on 127.0.0.1 only, port 5433 by default (DEV_PG_PORT to change),
# with trust authentication; the unix socket lives in ./var/pg-run.
# Progress goes to stderr; only the URL is printed to stdout.
set -euo pipefail

PORT=${DEV_PG_PORT:-5433}
DB=attend

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
var=$root/var
data=$var/pg
sockdir=$var/pg-run
logfile=$var/pg.log

log() { printf 'dev-db: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# find_bin NAME prints the path of a PostgreSQL server program.
find_bin() {
	local p
	if p=$(command -v "$1" 2>/dev/null); then
		echo "$p"
		return 0
	fi
	# Debian/Ubuntu keep the server programs off PATH; take the newest version.
	for p in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
		if [[ -x $p/$1 ]]; then
			echo "$p/$1"
			return 0
		fi
	done
	return 1
}

ensure_binaries() {
	if INITDB=$(find_bin initdb) && PG_CTL=$(find_bin pg_ctl); then
		return
	fi
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
		log "PostgreSQL server programs not found; installing the Debian postgresql package"
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
		if INITDB=$(find_bin initdb) && PG_CTL=$(find_bin pg_ctl); then
			return
		fi
		die "installed postgresql but still cannot find initdb and pg_ctl"
	fi
	die "PostgreSQL server programs (initdb, pg_ctl) not found.
  Install PostgreSQL (Debian/Ubuntu: sudo apt-get install postgresql;
  macOS: brew install postgresql), or set DATABASE_URL to an existing database."
}

# As root, initdb and postgres refuse to run: use the postgres account.
as_owner() {
	if [[ $(id -u) -eq 0 ]]; then
		id postgres >/dev/null 2>&1 ||
			die "running as root needs a 'postgres' system user to own the cluster"
		if command -v runuser >/dev/null; then
			runuser -u postgres -- "$@"
		else
			setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
		fi
	else
		"$@"
	fi
}

running() {
	[[ -f $data/PG_VERSION ]] && as_owner "$PG_CTL" -D "$data" status >/dev/null 2>&1
}

ensure_owner() {
	[[ $(id -u) -eq 0 ]] || return 0
	chown -R postgres: "$data" "$sockdir"
	# The postgres user has to reach ./var/pg: make any parent directory it
	# cannot search searchable (o+x only; nothing becomes listable or readable).
	local d=$var dirs=()
	while [[ $d != / ]]; do
		dirs=("$d" "${dirs[@]}")
		d=$(dirname "$d")
	done
	for d in "${dirs[@]}"; do # from the top down
		if ! as_owner test -x "$d"; then
			log "allowing the postgres user to traverse $d (chmod o+x)"
			chmod o+x "$d"
		fi
	done
}

init_cluster() {
	log "creating a PostgreSQL cluster in var/pg"
	mkdir -p "$data" "$sockdir"
	chmod 700 "$data"
	ensure_owner
	local out
	out=$(cd "$data" && as_owner "$INITDB" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 2>&1) || {
		printf '%s\n' "$out" >&2
		rm -rf "$data"
		die "initdb failed"
	}
	cat >>"$data/postgresql.conf" <<CONF

# attend development settings
listen_addresses = '127.0.0.1'
CONF
}

start() {
	ensure_binaries
	mkdir -p "$var" "$sockdir"
	[[ -f $data/PG_VERSION ]] || init_cluster
	ensure_owner

	if running; then
		log "PostgreSQL already running (var/pg)"
	else
		: >>"$logfile"
		[[ $(id -u) -eq 0 ]] && chown postgres: "$logfile"
		log "starting PostgreSQL on 127.0.0.1:$PORT (log: var/pg.log)"
		# Unix socket paths are limited to ~107 bytes; without one, TCP still works.
		local sock=$sockdir
		((${#sockdir} + 16 < 100)) || sock=
		(cd "$data" && as_owner "$PG_CTL" -D "$data" -l "$logfile" -s -w -t 60 -o "-p $PORT -k '$sock'" start >&2) || {
			tail -n 20 "$logfile" >&2
			die "PostgreSQL did not start; see var/pg.log"
		}
	fi

	local port
	port=$(sed -n 4p "$data/postmaster.pid")
	[[ -n $port ]] || port=$PORT
	if [[ $port != "$PORT" ]]; then
		log "note: the running cluster uses port $port; run 'scripts/dev-db.sh stop' to restart it on $PORT"
	fi

	local psql
	psql=$(find_bin psql) || die "psql not found"
	if ! "$psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atqc \
		"SELECT 1 FROM pg_database WHERE datname = '$DB'" </dev/null | grep -q 1; then
		log "creating database $DB"
		"$psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE $DB" </dev/null >&2
	fi

	echo "postgres://postgres@127.0.0.1:$port/$DB?sslmode=disable"
}

stop() {
	if ! INITDB=$(find_bin initdb) || ! PG_CTL=$(find_bin pg_ctl); then
		log "PostgreSQL programs not found; nothing to stop"
		return
	fi
	if running; then
		(cd "$data" && as_owner "$PG_CTL" -D "$data" -s -m fast -w stop >&2)
		log "stopped PostgreSQL (var/pg)"
	else
		log "PostgreSQL is not running"
	fi
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
*)
	echo "usage: $0 [start|stop]" >&2
	exit 2
	;;
esac
