// Package chaos is attend's fault-injection suite. Its tests build the real
// attend binary once, run it as child processes against real PostgreSQL and
// a real SMTP server (internal/smtptest) whose behaviour they switch at run
// time, and then check in the database and in the delivered mail that the
// promise held: a committed registration is never lost, and its email
// arrives exactly once in normal operation and at most once more per crash.
//
// The cases: SIGKILL under load, three instances on one database, the
// database going away (restart, dropped LISTEN connection, lock and
// statement timeouts), SMTP faults (4xx, 5xx, dropped and stalled
// connections, a row left in "sending" by a crash), graceful shutdown under
// load, and slow or oversized clients.
//
// `go test ./internal/chaos/` runs the short version (well under a minute);
// CHAOS_LONG=1 (`make chaos`) runs larger counts and builds the child binary
// with the race detector. The suite needs Linux (/proc, Pdeathsig) and, for
// the database-restart case, initdb and pg_ctl to run a private cluster.
// docs/OPERATIONS.md explains the guarantees it checks.
package chaos
