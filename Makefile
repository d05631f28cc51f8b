GO ?= go

# The project builds with Go 1.27.3 (go.mod's minimum): the go command fetches
# that toolchain from the module proxy when the machine's Go is older.
export GOTOOLCHAIN = go1.27.3

.PHONY: run test build fmt stop token clean fuzz vulncheck

# Build and run attend locally with a private PostgreSQL and Mailpit
# (see scripts/run.sh for what can be overridden from the environment).
# The first start builds Mailpit from source, which takes a few minutes.
run:
	@scripts/run.sh

# Stops everything `make run` started: attend, the database and Mailpit.
stop:
	-@scripts/run.sh stop

# Prints a new API token for ORGANIZER (an email; default: the demo organizer).
token:
	@ORGANIZER=$(ORGANIZER) scripts/run.sh token

test: staticcheck
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

# The fault-injection suite at full size (internal/chaos, docs/OPERATIONS.md):
# 1,000 registrations under SIGKILL, three instances on one database,
# database and SMTP outages, SIGTERM at 200 requests/s, slow clients. The
# attend binary under test is built with -race. `make test` runs it small.
.PHONY: chaos
chaos:
	CHAOS_LONG=1 $(GO) test -race -count=1 -timeout 30m -v ./internal/chaos/

build:
	$(GO) build -o var/bin/attend ./cmd/attend

# Fails listing the files that need gofmt.
fmt:
	@files=$$(find . -path ./var -prune -o -name '*.go' -print | xargs gofmt -l); \
	if [ -n "$$files" ]; then echo "these files need gofmt -w:"; echo "$$files"; exit 1; fi

# Removes ./var (development database, Mailpit, binaries, secret key).
clean: stop
	rm -rf var

# Runs every fuzz target for FUZZTIME each (e.g. make fuzz FUZZTIME=10m).
fuzz:
	@FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

# staticcheck over both modules (attend and bench), at a pinned version that
# `go run` builds once into the Go build cache; `make test` (and so CI) runs it.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
.PHONY: staticcheck
staticcheck:
	$(GO) run $(STATICCHECK) ./...
	cd bench && $(GO) run $(STATICCHECK) ./...

# go mod verify and govulncheck (also run by CI).
vulncheck:
	@scripts/vulncheck.sh

# Performance suite (docs/PERFORMANCE.md): 7-10 minutes on two cores. It
# creates its own databases and processes and removes them; `make test`
# never runs it. bench-PART runs one part and prints its table only.
.PHONY: bench bench-register bench-burst bench-mail bench-export bench-views bench-go bench-documents bench-growth
bench:
	@BENCH_COMMAND="make bench" scripts/bench.sh -doc docs/PERFORMANCE.md

bench-register:
	@BENCH_COMMAND="make bench-register" scripts/bench.sh -parts register

bench-burst:
	@BENCH_COMMAND="make bench-burst" scripts/bench.sh -parts burst

bench-mail:
	@BENCH_COMMAND="make bench-mail" scripts/bench.sh -parts mail

bench-export:
	@BENCH_COMMAND="make bench-export" scripts/bench.sh -parts export

bench-views:
	@BENCH_COMMAND="make bench-views" scripts/bench.sh -parts views

bench-go:
	@BENCH_COMMAND="make bench-go" scripts/bench.sh -parts go

bench-documents:
	@BENCH_COMMAND="make bench-documents" scripts/bench.sh -parts documents

bench-growth:
	@BENCH_COMMAND="make bench-growth" scripts/bench.sh -parts growth
