GO ?= go

.PHONY: run test build fmt stop clean fuzz vulncheck

# Build and run attend locally with a private PostgreSQL and Mailpit
# (see scripts/run.sh for what can be overridden from the environment).
run:
	@scripts/run.sh

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

build:
	$(GO) build -o var/bin/attend ./cmd/attend

# Fails listing the files that need gofmt.
fmt:
	@files=$$(find . -path ./var -prune -o -name '*.go' -print | xargs gofmt -l); \
	if [ -n "$$files" ]; then echo "these files need gofmt -w:"; echo "$$files"; exit 1; fi

# Stops the development database and Mailpit started by `make run`.
stop:
	-@scripts/dev-mail.sh stop
	-@scripts/dev-db.sh stop

# Removes ./var (development database, Mailpit, binaries, secret key).
clean: stop
	rm -rf var

# Runs every fuzz target for FUZZTIME each (e.g. make fuzz FUZZTIME=10m).
fuzz:
	@FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

# go mod verify and govulncheck (also run by CI).
vulncheck:
	@scripts/vulncheck.sh
