// Package pgcluster runs throwaway PostgreSQL clusters with the machine's
// initdb and pg_ctl: each in a temporary directory of its own, listening on
// 127.0.0.1 only (no unix sockets), with trust authentication for the user
// postgres, and run as the postgres user when the process is root (initdb
// and postgres refuse to run as root).
//
// It exists because two places need exactly this: the test harness
// (internal/pgtest), which starts a cluster when no server is at hand, and
// the fault-injection suite (internal/chaos), which stops and restarts a
// cluster of its own. Both mark their directories with the owning process's
// pid so that SweepOrphans can remove those of test processes that died
// without cleaning up.
package pgcluster
