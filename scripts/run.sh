#!/usr/bin/env bash
# `make run`: builds attend and runs it locally with everything it needs.
#
# Unless set in the environment, DATABASE_URL comes from a private
# PostgreSQL under ./var/pg (scripts/dev-db.sh), SMTP_URL from a local
# Mailpit (scripts/dev-mail.sh; read the mail at http://127.0.0.1:8025), and
# SECRET_KEY is generated once and kept in ./var/secret_key so that sessions
# and links survive restarts. HTTP_ADDR defaults to :8080.
# `make stop` stops the database and Mailpit.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p var/bin

log() { printf 'run: %s\n' "$*" >&2; }

if [[ -z ${DATABASE_URL:-} ]]; then
	DATABASE_URL=$(scripts/dev-db.sh | tail -n 1)
fi
if [[ -z ${SMTP_URL:-} ]]; then
	SMTP_URL=$(scripts/dev-mail.sh | tail -n 1)
	log "outgoing mail is caught by Mailpit: http://127.0.0.1:8025"
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
	host=${HTTP_ADDR%:*}
	case $host in "" | 0.0.0.0 | "[::]") host=localhost ;; esac
	BASE_URL="http://$host:${HTTP_ADDR##*:}"
fi
export DATABASE_URL SMTP_URL SECRET_KEY HTTP_ADDR BASE_URL

log "building var/bin/attend"
go build -o var/bin/attend ./cmd/attend
var/bin/attend migrate
var/bin/attend demo
log "serving on $BASE_URL (Ctrl-C to stop; 'make stop' stops the database and Mailpit)"
exec var/bin/attend serve
