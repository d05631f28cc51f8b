package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/internal/pgcluster"
	"github.com/attend/attend/migrations"
)

func TestMain(m *testing.M) { Main(m) }

func count(t *testing.T, db *sqlx.DB, query string) int {
	t.Helper()
	var n int
	if err := db.Get(&n, query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestNewDBGivesIndependentDatabases(t *testing.T) {
	t.Parallel()
	a, b := NewDB(t), NewDB(t)

	if _, err := a.Exec(`INSERT INTO organizers (email, name) VALUES ('ada@example.com', 'Ada')`); err != nil {
		t.Fatal(err)
	}
	if n := count(t, a, `SELECT count(*) FROM organizers`); n != 1 {
		t.Errorf("first database: %d organizers, want 1", n)
	}
	if n := count(t, b, `SELECT count(*) FROM organizers`); n != 0 {
		t.Errorf("second database: %d organizers, want 0", n)
	}

	var nameA, nameB string
	if err := a.Get(&nameA, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	if err := b.Get(&nameB, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	if nameA == nameB {
		t.Errorf("both connections use database %s", nameA)
	}
}

func TestNewDBInParallel(t *testing.T) {
	t.Parallel()
	for i := range 4 {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			db := NewDB(t)
			// The same (unique) email in every database: no interference.
			if _, err := db.Exec(`INSERT INTO organizers (email, name) VALUES ('same@example.com', 'Same')`); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNewURL(t *testing.T) {
	t.Parallel()
	u := NewURL(t)
	if !strings.HasPrefix(u, "postgres://") || !strings.Contains(u, "sslmode=") {
		t.Errorf("NewURL() = %q, want a postgres:// URL with sslmode", u)
	}
	db, err := sqlx.Open("postgres", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pending, err := migrations.Pending(context.Background(), db.DB)
	if err != nil {
		t.Fatal(err)
	}
	if pending != 0 {
		t.Errorf("%d migrations pending, want 0", pending)
	}
	var user string
	if err := db.Get(&user, `SELECT current_user`); err != nil {
		t.Fatal(err)
	}
	if user != testRole.Username {
		t.Errorf("connected as %q, want %q", user, testRole.Username)
	}
}

func TestAdminURLCanTerminateConnections(t *testing.T) {
	t.Parallel()
	db := NewDB(t)
	var pid int
	if err := db.Get(&pid, `SELECT pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}

	admin, err := sqlx.Open("postgres", AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var ok bool
	if err := admin.Get(&ok, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatalf("pg_terminate_backend(%d) = false", pid)
	}
}

func TestMigratorHash(t *testing.T) {
	h1, err := migrator{}.Hash()
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := migrator{}.Hash()
	if h1 != h2 || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(h1) {
		t.Errorf("Hash() = %q then %q, want the same sha256 hex twice", h1, h2)
	}
}

func TestParseURL(t *testing.T) {
	s, err := parseURL("postgresql://u:p%40ss@db.example:6543/maint?application_name=x")
	if err != nil {
		t.Fatal(err)
	}
	if s.host != "db.example" || s.port != "6543" || s.user != "u" || s.password != "p@ss" ||
		s.database != "maint" || s.options != "application_name=x&sslmode=disable" {
		t.Errorf("parseURL: got %+v", *s)
	}
	if got, want := s.adminURL(), "postgres://u:p%40ss@db.example:6543/maint?application_name=x&sslmode=disable"; got != want {
		t.Errorf("adminURL() = %q, want %q", got, want)
	}
	if _, err := parseURL("mysql://localhost/x"); err == nil {
		t.Error("parseURL accepted a mysql:// URL")
	}
}

const envSubprocess = "PGTEST_CLUSTER_SUBPROCESS"

var clusterLine = regexp.MustCompile(`(?m)^PGTEST_CLUSTER dir=(\S+) pid=(\d+) port=(\d+)$`)

// TestThrowawayCluster runs TestClusterSubprocess in a child process that is
// forced to start its own cluster, and checks that the child's pgtest.Main
// stopped and removed that cluster before exiting.
func TestThrowawayCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	if _, _, err := pgcluster.FindBins(); err != nil {
		t.Skip(err)
	}
	t.Parallel()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0],
		"-test.run=^TestClusterSubprocess$", "-test.v", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), envForceCluster+"=1", envSubprocess+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("subprocess: %v\n%s", err, out)
	}
	m := clusterLine.FindSubmatch(out)
	if m == nil {
		t.Fatalf("subprocess did not report its cluster:\n%s", out)
	}
	dir := string(m[1])
	pid, _ := strconv.Atoi(string(m[2]))
	port := string(m[3])
	t.Logf("subprocess cluster: dir=%s pid=%d port=%s", dir, pid, port)

	if pgcluster.Alive(pid) {
		t.Errorf("postmaster %d still running after the subprocess exited", pid)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cluster directory %s still exists (stat: %v)", dir, err)
	}
	if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", port), time.Second); err == nil {
		c.Close()
		t.Errorf("something still listens on port %s", port)
	}
	if !strings.Contains(string(out), "using throwaway PostgreSQL cluster") {
		t.Errorf("subprocess did not log that it used a throwaway cluster:\n%s", out)
	}
}

// TestClusterSubprocess only runs inside TestThrowawayCluster's child.
func TestClusterSubprocess(t *testing.T) {
	if os.Getenv(envSubprocess) != "1" {
		t.Skip("run by TestThrowawayCluster")
	}
	db := NewDB(t)
	s := getServer(t)
	if s.cluster == nil {
		t.Fatal("PGTEST_FORCE_CLUSTER=1 but no throwaway cluster was started")
	}
	pid, err := s.cluster.PID()
	if err != nil {
		t.Fatal(err)
	}
	if !pgcluster.Alive(pid) {
		t.Fatalf("postmaster %d is not running", pid)
	}
	fmt.Printf("PGTEST_CLUSTER dir=%s pid=%d port=%d\n", s.cluster.Dir, pid, s.cluster.Port)

	if _, err := db.Exec(`INSERT INTO organizers (email, name) VALUES ('ada@example.com', 'Ada')`); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM organizers`); n != 1 {
		t.Errorf("%d organizers, want 1", n)
	}
	if n := count(t, NewDB(t), `SELECT count(*) FROM organizers`); n != 0 {
		t.Errorf("second database: %d organizers, want 0", n)
	}

	admin, err := sqlx.Open("postgres", AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var listen string
	if err := admin.Get(&listen, `SHOW listen_addresses`); err != nil {
		t.Fatal(err)
	}
	if listen != "127.0.0.1" {
		t.Errorf("listen_addresses = %q, want 127.0.0.1", listen)
	}
	var fsync string
	if err := admin.Get(&fsync, `SHOW fsync`); err != nil {
		t.Fatal(err)
	}
	if fsync != "off" {
		t.Errorf("fsync = %q, want off", fsync)
	}
}

// TestSweepOrphans checks that a cluster whose owning process died is stopped
// and removed by the next cluster start. (Not parallel: it must not race with
// the subprocess of TestThrowawayCluster sweeping the same cluster.)
func TestSweepOrphans(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	if _, _, err := pgcluster.FindBins(); err != nil {
		t.Skip(err)
	}
	c, err := startCluster()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.stop() }) //nolint:errcheck // only matters if the sweep failed
	pid, err := c.PID()
	if err != nil {
		t.Fatal(err)
	}

	// Pretend the owner died: record the pid of a process that has exited.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.Dir, "owner.pid"), []byte(strconv.Itoa(dead.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}

	sweepOrphans()

	if pgcluster.Alive(pid) {
		t.Errorf("orphaned postmaster %d still running", pid)
	}
	if _, err := os.Stat(c.Dir); !os.IsNotExist(err) {
		t.Errorf("orphaned cluster directory %s still exists", c.Dir)
	}
}
