#!/usr/bin/env bash
# Runs Mailpit (a local SMTP server with a web UI) for development.
#
#   scripts/dev-mail.sh        build Mailpit into ./var/bin if needed, start it
#                              if it is not running, print the SMTP_URL last
#   scripts/dev-mail.sh stop   stop it
#
# SMTP listens on 127.0.0.1:1025 (DEV_SMTP_PORT to change), the web UI on
# http://127.0.0.1:8025 (DEV_MAIL_UI_PORT). The first start builds Mailpit
# from source, which takes a few minutes; progress is shown as it goes.
# Progress goes to stderr; only the SMTP_URL is printed to stdout.
set -euo pipefail

MAILPIT_VERSION=v1.33.1
MAILPIT_MODULE=github.com/axllent/mailpit
SMTP_ADDR=127.0.0.1:${DEV_SMTP_PORT:-1025}
UI_ADDR=127.0.0.1:${DEV_MAIL_UI_PORT:-8025}

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
var=$root/var
bin=$var/bin/mailpit
pidfile=$var/mailpit.pid
logfile=$var/mailpit.log

log() { printf 'dev-mail: %s\n' "$*" >&2; }

running_pid() {
	local pid
	[[ -f $pidfile ]] || return 1
	pid=$(<"$pidfile")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	# Make sure the pid was not reused by an unrelated process.
	if [[ -r /proc/$pid/cmdline ]] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q mailpit; then
		return 1
	fi
	echo "$pid"
}

listening() { # host:port
	(exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null
}

stop() {
	local pid
	if pid=$(running_pid); then
		kill "$pid"
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -9 "$pid" 2>/dev/null || true
		fi
		log "stopped Mailpit (pid $pid)"
	else
		log "Mailpit is not running"
	fi
	rm -f "$pidfile"
}

elapsed() { printf '%dm%02ds' $(((SECONDS - $1) / 60)) $(((SECONDS - $1) % 60)); }

# progress reads `go` output and says, every ten seconds even while one big
# package compiles, how many modules it downloaded or non-standard packages
# it compiled; lines with spaces (errors, warnings) pass through. $1 names
# what is counted, $2 is the total if known, $3 the start time.
progress() {
	local what=$1 total=$2 since=$3 n=0 last=$SECONDS line status
	while :; do
		status=0
		IFS= read -r -t 10 line || status=$?
		if ((status > 128)); then # no output for ten seconds
			line=
		elif ((status != 0)) && [[ -z $line ]]; then # end of output
			break
		fi
		if [[ $line == "go: downloading "* || ($line != *[[:space:]]* && ${line%%/*} == *.*) ]]; then
			n=$((n + 1))
		elif [[ $line == *[[:space:]]* ]]; then
			printf '%s\n' "$line" >&2
		fi
		if ((SECONDS - last >= 10)); then
			last=$SECONDS
			log "building Mailpit: $n${total:+ of $total} $what ($(elapsed "$since"))"
		fi
	done
	log "building Mailpit: $n${total:+ of $total} $what ($(elapsed "$since"))"
}

# build compiles Mailpit from source into var/bin: a few hundred packages,
# minutes on a busy machine, so it says how far it got as it goes.
build() {
	command -v go >/dev/null || { log "Go is needed to build Mailpit"; exit 1; }
	local start=$SECONDS info dir total list=$var/mailpit-packages
	log "building Mailpit $MAILPIT_VERSION into var/bin: first start only, it takes a few minutes"
	info=$(GOFLAGS='' go mod download -json "$MAILPIT_MODULE@$MAILPIT_VERSION") || {
		printf '%s\n' "$info" >&2
		log "could not download $MAILPIT_MODULE@$MAILPIT_VERSION"
		exit 1
	}
	dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p' <<<"$info")
	# Listing the packages to build downloads the modules they come from.
	(cd "$dir" && GOFLAGS='' go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' . 2>&1 >"$list") |
		progress "modules downloaded" "" "$start"
	total=$(grep -c . "$list")
	rm -f "$list"
	GOBIN=$var/bin GOFLAGS='' go install -v "$MAILPIT_MODULE@$MAILPIT_VERSION" 2>&1 |
		progress "packages compiled" "$total" "$start"
	log "built Mailpit in $(elapsed "$start")"
}

start() {
	mkdir -p "$var/bin"
	[[ -x $bin ]] || build

	if pid=$(running_pid); then
		log "Mailpit already running (pid $pid), UI on http://$UI_ADDR"
	elif listening "$SMTP_ADDR"; then
		log "something is already listening on $SMTP_ADDR; using it"
	else
		rm -f "$pidfile"
		# setsid keeps it out of the caller's process group, so Ctrl-C in
		# `make run` stops the app but leaves Mailpit running for next time.
		setsid "$bin" --smtp "$SMTP_ADDR" --listen "$UI_ADDR" \
			</dev/null >>"$logfile" 2>&1 &
		echo $! >"$pidfile"
		for _ in $(seq 100); do
			listening "$SMTP_ADDR" && break
			if ! kill -0 "$(<"$pidfile")" 2>/dev/null; then
				log "Mailpit exited; see var/mailpit.log:"
				tail -n 20 "$logfile" >&2
				rm -f "$pidfile"
				exit 1
			fi
			sleep 0.1
		done
		listening "$SMTP_ADDR" || { log "Mailpit did not start listening on $SMTP_ADDR; see var/mailpit.log"; exit 1; }
		log "started Mailpit (pid $(<"$pidfile")), UI on http://$UI_ADDR"
	fi
	echo "smtp://$SMTP_ADDR?starttls=off"
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
*)
	echo "usage: $0 [start|stop]" >&2
	exit 2
	;;
esac
