#!/usr/bin/env bash
# Runs Mailpit (a local SMTP server with a web UI) for development.
#
#   scripts/dev-mail.sh        build Mailpit into ./var/bin if needed, start it
#                              if it is not running, print the SMTP_URL last
#   scripts/dev-mail.sh stop   stop it
#
# SMTP listens on 127.0.0.1:1025, the web UI on http://127.0.0.1:8025.
# Progress goes to stderr; only the SMTP_URL is printed to stdout.
set -euo pipefail

MAILPIT_VERSION=v1.33.1
SMTP_ADDR=127.0.0.1:1025
UI_ADDR=127.0.0.1:8025

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

start() {
	mkdir -p "$var/bin"
	if [[ ! -x $bin ]]; then
		command -v go >/dev/null || { log "Go is needed to build Mailpit"; exit 1; }
		log "building Mailpit $MAILPIT_VERSION into var/bin (first run only, this takes a while)"
		GOBIN=$var/bin GOFLAGS='' go install "github.com/axllent/mailpit@$MAILPIT_VERSION"
	fi

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
