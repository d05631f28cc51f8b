#!/usr/bin/env bash
# `make run`, `make stop` and `make token`: attend locally with everything
# it needs.
#
#   scripts/run.sh [run]   build attend, start what it needs, load the demo
#                          and serve in the foreground (Ctrl-C to stop)
#   scripts/run.sh stop    stop everything `run` started
#   scripts/run.sh token   print a new API token (ORGANIZER, default the demo
#                          organizer)
#
# Unless set in the environment, DATABASE_URL comes from a private
# PostgreSQL under ./var/pg (scripts/dev-db.sh; port DEV_PG_PORT, 5433), and
# SMTP_URL from a local Mailpit (scripts/dev-mail.sh; ports DEV_SMTP_PORT,
# 1025, and DEV_MAIL_UI_PORT, 8025, for the inbox). SECRET_KEY is generated
# once and kept in ./var/secret_key so that sessions and links survive
# restarts. HTTP_ADDR defaults to :8080.
#
# `run` records its own PID in var/run.pid and attend's in var/attend.pid;
# Mailpit's is in var/mailpit.pid and PostgreSQL's in var/pg. `stop` stops
# those processes and no others. Ctrl-C stops attend and leaves the database
# and Mailpit running for a quicker next start; a start that fails stops
# them too.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
runpid=var/run.pid
servepid=var/attend.pid

log() { printf 'run: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# recorded FILE PATTERN prints the PID in FILE if that process is alive, its
# command line matches PATTERN and it runs in this checkout, so that a stale
# file never leads to signalling an unrelated process that reused the PID.
recorded() {
	local pid
	[[ -f $1 ]] || return 1
	pid=$(<"$1")
	[[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
	if [[ -r /proc/$pid/cmdline ]]; then
		tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2" || return 1
		[[ $(readlink "/proc/$pid/cwd") == "$root" ]] || return 1
	fi
	echo "$pid"
}

# tree PID prints PID and the PIDs of all its descendants.
tree() {
	local child
	echo "$1"
	for child in $(pgrep -P "$1" 2>/dev/null); do
		tree "$child"
	done
}

# stop_recorded FILE PATTERN NAME sends SIGTERM to the recorded process and
# its descendants (a build, `attend demo` or `attend serve` under `run`;
# PostgreSQL and Mailpit are not among them), waits for it to finish
# (attend drains requests for up to SHUTDOWN_TIMEOUT, 25s), then kills it
# if it has not.
stop_recorded() {
	local pid
	if ! pid=$(recorded "$1" "$2"); then
		rm -f "$1"
		return 0
	fi
	# shellcheck disable=SC2046 # one PID a word
	kill -TERM $(tree "$pid") 2>/dev/null || true
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$3 (pid $pid) did not stop within 30s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	log "stopped $3 (pid $pid)"
	rm -f "$1"
}

stop_services() {
	scripts/dev-mail.sh stop || true
	scripts/dev-db.sh stop || true
}

# stop_all stops attend first (make run then ends by itself), then make run
# if it is still starting up, then the database and Mailpit.
stop_all() {
	stop_recorded "$servepid" 'attend serve' 'attend serve'
	stop_recorded "$runpid" 'scripts/run.sh' 'make run'
	stop_services
}

build() {
	log "building var/bin/attend"
	go build -o var/bin/attend ./cmd/attend
}

# dev_database_url exports DATABASE_URL, starting the private cluster unless
# one is set; own_db and own_mail say what a failed start has to stop.
own_db=false
own_mail=false
dev_database_url() {
	if [[ -z ${DATABASE_URL:-} ]]; then
		own_db=true
		DATABASE_URL=$(scripts/dev-db.sh | tail -n 1)
	fi
	export DATABASE_URL
}

token() {
	mkdir -p var/bin
	dev_database_url
	build
	local email=${ORGANIZER:-demo@example.org} t
	t=$(var/bin/attend token create --email "$email")
	log "API token for $email (send it as 'Authorization: Bearer <token>'):"
	printf '%s\n' "$t"
}

serve=
interrupted=
on_signal() {
	interrupted=$1
	if [[ -n $serve ]]; then
		kill -TERM "$serve" 2>/dev/null || true # let it drain, then exit below
	else
		exit 130
	fi
}

on_exit() {
	local status=$?
	if [[ -n $serve ]] && kill -0 "$serve" 2>/dev/null; then
		kill -TERM "$serve" 2>/dev/null || true
		wait "$serve" 2>/dev/null || true
	fi
	[[ $(cat "$runpid" 2>/dev/null) == "$$" ]] && rm -f "$runpid"
	rm -f "$servepid"
	if ((status != 0)) && [[ -z $interrupted ]]; then
		log "make run failed (exit status $status); stopping what it started"
		$own_mail && { scripts/dev-mail.sh stop || true; }
		$own_db && { scripts/dev-db.sh stop || true; }
	elif [[ $interrupted == INT ]]; then
		log "stopped; the database and Mailpit keep running for the next start ('make stop' stops them)"
	fi
}

run() {
	local pid
	if pid=$(recorded "$runpid" 'scripts/run.sh'); then
		die "make run is already running (pid $pid); 'make stop' stops it"
	fi
	if pid=$(recorded "$servepid" 'attend serve'); then
		die "attend serve from an earlier 'make run' is still running (pid $pid); 'make stop' stops it"
	fi
	mkdir -p var/bin
	echo $$ >"$runpid"
	trap on_exit EXIT
	trap 'on_signal INT' INT
	trap 'on_signal TERM' TERM

	dev_database_url
	if [[ -z ${SMTP_URL:-} ]]; then
		own_mail=true
		SMTP_URL=$(scripts/dev-mail.sh | tail -n 1)
		log "outgoing mail is caught by Mailpit: http://127.0.0.1:${DEV_MAIL_UI_PORT:-8025}"
	fi
	if [[ -z ${SECRET_KEY:-} ]]; then
		if [[ ! -s var/secret_key ]]; then
			(umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >var/secret_key)
			log "generated var/secret_key"
		fi
		SECRET_KEY=$(<var/secret_key)
	fi
	HTTP_ADDR=${HTTP_ADDR:-:8080}
	if [[ -z ${BASE_URL:-} ]]; then
		local host=${HTTP_ADDR%:*}
		case $host in "" | 0.0.0.0 | "[::]") host=localhost ;; esac
		BASE_URL="http://$host:${HTTP_ADDR##*:}"
	fi
	export SMTP_URL SECRET_KEY HTTP_ADDR BASE_URL

	build
	var/bin/attend migrate
	local token
	token=$(var/bin/attend demo)
	log "API token for the demo organizer demo@example.org (send it as 'Authorization: Bearer <token>'; 'make token' makes another):"
	printf '\n    %s\n\n' "$token" >&2
	log "dashboard: $BASE_URL/admin/login (demo@example.org, password attend-demo-2019)"
	log "serving on $BASE_URL (Ctrl-C stops attend; 'make stop' stops attend, the database and Mailpit)"

	var/bin/attend serve &
	serve=$!
	echo "$serve" >"$servepid"
	local status
	while :; do
		status=0
		wait "$serve" || status=$?
		# A signal interrupts wait while attend drains; wait for it again.
		kill -0 "$serve" 2>/dev/null || break
	done
	serve=
	[[ -n $interrupted ]] && exit 0
	exit "$status"
}

case "${1:-run}" in
run) run ;;
stop) stop_all ;;
token) token ;;
*)
	echo "usage: $0 [run|stop|token]" >&2
	exit 2
	;;
esac
