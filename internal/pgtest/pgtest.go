// Package pgtest gives each test its own fresh, fully migrated PostgreSQL
// database.
//
// Databases are cloned from a template database that is migrated once per
// schema version (see github.com/peterldowns/pgtestdb), so a new database
// costs a CREATE DATABASE, not a migration run. Tests using this package can
// run in parallel.
//
// Every test package that uses pgtest needs
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// The PostgreSQL server is chosen once per test binary, in this order:
//
//  1. TEST_DATABASE_URL, when set (a postgres:// URL of a role that may
//     create roles and databases, and of a maintenance database such as
//     "postgres");
//  2. the local server on 127.0.0.1:5432 as user postgres without a password,
//     when it answers within two seconds;
//  3. otherwise a throwaway cluster, created with the machine's initdb and
//     pg_ctl in a temporary directory and removed again by Main when the
//     tests are done. PGTEST_FORCE_CLUSTER=1 skips 1 and 2.
package pgtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // registers the "postgres" driver
	"github.com/peterldowns/pgtestdb"

	"github.com/attend/attend/migrations"
)

const (
	envURL          = "TEST_DATABASE_URL"
	envForceCluster = "PGTEST_FORCE_CLUSTER"

	localURL     = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=2"
	probeTimeout = 2 * time.Second
)

// testRole is the role that owns and connects to the test databases. It is
// deliberately not a superuser, like the role the application runs as.
var testRole = pgtestdb.Role{
	Username:     "attend_test",
	Password:     "attend_test",
	Capabilities: pgtestdb.DefaultRoleCapabilities,
}

// server is the PostgreSQL server the tests of this process use. The user is
// a superuser (or at least may create roles and databases) and database is
// the maintenance database.
type server struct {
	host, port        string
	user, password    string
	database, options string
	cluster           *cluster // non-nil when this process started the server
	description       string
}

func (s *server) config() pgtestdb.Config {
	return pgtestdb.Config{
		DriverName: "postgres",
		Host:       s.host,
		Port:       s.port,
		User:       s.user,
		Password:   s.password,
		Database:   s.database,
		Options:    s.options,
		TestRole:   &testRole,
	}
}

func (s *server) adminURL() string {
	u := url.URL{
		Scheme:   "postgres",
		Host:     net.JoinHostPort(s.host, s.port),
		Path:     "/" + s.database,
		RawQuery: s.options,
	}
	if s.password != "" {
		u.User = url.UserPassword(s.user, s.password)
	} else {
		u.User = url.User(s.user)
	}
	return u.String()
}

var (
	mainCalled atomic.Bool

	resolveOnce sync.Once
	resolved    *server
	resolveErr  error
)

// Main runs the tests of a package and then stops the throwaway PostgreSQL
// cluster if one was started. Use it as
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	mainCalled.Store(true)

	// Stop the cluster also when the tests are interrupted.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		shutdown()
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", sig)
		os.Exit(130)
	}()

	code := m.Run()
	shutdown()
	os.Exit(code)
}

var shutdownOnce sync.Once

// shutdown stops the cluster this process started, if any.
func shutdown() {
	shutdownOnce.Do(func() {
		// Wait for a concurrent resolve to finish so that a cluster being
		// started right now is stopped too.
		resolveOnce.Do(func() { resolveErr = fmt.Errorf("pgtest: shutting down") })
		if resolved != nil && resolved.cluster != nil {
			if err := resolved.cluster.stop(); err != nil {
				fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			}
		}
	})
}

func getServer(t testing.TB) *server {
	t.Helper()
	if !mainCalled.Load() {
		t.Fatalf("pgtest: this test package needs `func TestMain(m *testing.M) { pgtest.Main(m) }`")
	}
	resolveOnce.Do(func() {
		resolved, resolveErr = resolve()
		if resolveErr == nil {
			fmt.Fprintf(os.Stderr, "pgtest: using %s\n", resolved.description)
		}
	})
	if resolveErr != nil {
		t.Fatalf("pgtest: %v", resolveErr)
	}
	return resolved
}

func resolve() (*server, error) {
	if os.Getenv(envForceCluster) != "1" {
		if raw := os.Getenv(envURL); raw != "" {
			s, err := parseURL(raw)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", envURL, err)
			}
			s.description = fmt.Sprintf("PostgreSQL from %s (%s:%s)", envURL, s.host, s.port)
			return s, nil
		}
		if probe(localURL) {
			s, err := parseURL(localURL)
			if err != nil {
				return nil, err
			}
			s.options = "sslmode=disable"
			s.description = "local PostgreSQL at 127.0.0.1:5432"
			return s, nil
		}
	}
	c, err := startCluster()
	if err != nil {
		return nil, fmt.Errorf("no PostgreSQL server: %s is not set, nothing answers on 127.0.0.1:5432, "+
			"and starting a throwaway cluster failed: %w", envURL, err)
	}
	return &server{
		host:        "127.0.0.1",
		port:        strconv.Itoa(c.Port),
		user:        "postgres",
		database:    "postgres",
		options:     "sslmode=disable",
		cluster:     c,
		description: fmt.Sprintf("throwaway PostgreSQL cluster at 127.0.0.1:%d", c.Port),
	}, nil
}

func parseURL(raw string) (*server, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, fmt.Errorf("want a postgres:// URL, got %q", u.Redacted())
	}
	s := &server{host: u.Hostname(), port: u.Port(), user: "postgres", database: "postgres"}
	if s.host == "" {
		s.host = "127.0.0.1"
	}
	if s.port == "" {
		s.port = "5432"
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	if db := u.Path; len(db) > 1 {
		s.database = db[1:]
	}
	q := u.Query()
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	s.options = q.Encode()
	return s, nil
}

// probe reports whether a PostgreSQL server accepts a connection to url
// within probeTimeout.
func probe(url string) bool {
	db, err := sql.Open("postgres", url)
	if err != nil {
		return false
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	return db.PingContext(ctx) == nil
}

// NewDB returns a connection to a brand-new database with all migrations
// applied. The database is dropped when the test ends, unless the test failed
// (then it is kept for inspection; its URL is in the test log). The test fails
// if connections to it are still open at that point.
func NewDB(t testing.TB) *sqlx.DB {
	t.Helper()
	s := getServer(t)
	conf := s.config()
	// As store.Open connects: arguments in lib/pq's binary_parameters mode.
	conf.Options = strings.TrimPrefix(conf.Options+"&binary_parameters=yes", "&")
	db := pgtestdb.New(t, conf, migrator{})
	return sqlx.NewDb(db, "postgres")
}

// NewURL returns the connection URL of a brand-new database with all
// migrations applied, for tests that run the real binary or server with a
// DATABASE_URL. When the test ends, remaining connections to the database are
// terminated and it is dropped (unless the test failed).
func NewURL(t testing.TB) string {
	t.Helper()
	s := getServer(t)
	conf := s.config()
	conf.ForceTerminateConnections = true
	return pgtestdb.Custom(t, conf, migrator{}).URL()
}

// AdminURL returns the URL of the server's maintenance database, connecting
// as a superuser (or, with TEST_DATABASE_URL, as the role given there).
func AdminURL(t testing.TB) string {
	t.Helper()
	return getServer(t).adminURL()
}

// migrator implements pgtestdb.Migrator with the embedded migrations.
type migrator struct{}

var migrationsHash = sync.OnceValues(func() (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "attend-pgtest-v1\n")
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hashing migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
})

func (migrator) Hash() (string, error) { return migrationsHash() }

func (migrator) Migrate(ctx context.Context, db *sql.DB, _ pgtestdb.Config) error {
	return migrations.Up(ctx, db)
}
