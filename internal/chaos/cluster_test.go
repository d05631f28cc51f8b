//go:build linux

package chaos

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// privateCluster is a PostgreSQL server of the test's own, which the test
// may stop and start; the shared server of internal/pgtest must never be.
// The minimal logic is copied from internal/pgtest/cluster.go, whose
// helpers are not exported.
type privateCluster struct {
	dir, data string
	port      int
}

// privateConf keeps synchronous_commit on: attend's promise that an
// accepted registration survives rests on it (fsync off only matters if
// the machine, not the process, crashes).
const privateConf = `
# attend chaos suite private cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
full_page_writes = off
max_connections = 100
`

// startPrivateCluster creates and starts a cluster with a database named
// attend; it is stopped and removed when the test ends.
func startPrivateCluster(t *testing.T) *privateCluster {
	t.Helper()
	initdb, _, err := findPGBins()
	if err != nil {
		t.Fatalf("private cluster: %v", err)
	}
	dir, err := newOwnedTempDir("pg-")
	if err != nil {
		t.Fatal(err)
	}
	c := &privateCluster{dir: dir, data: filepath.Join(dir, "data"), port: freePort(t)}
	t.Cleanup(func() {
		if err := stopDataDir(c.data, c.dir, "immediate"); err != nil {
			t.Errorf("stop private cluster: %v", err)
		}
		os.RemoveAll(c.dir)
	})
	if cred, err := ownerCredential(); err != nil {
		t.Fatal(err)
	} else if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := runAsOwner(dir, initdb, "-D", c.data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	f, err := os.OpenFile(filepath.Join(c.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(privateConf); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	c.start(t)
	db, err := sql.Open("postgres", c.url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE DATABASE attend`); err != nil {
		t.Fatalf("create database: %v", err)
	}
	return c
}

// url is the connection URL of a database of the cluster.
func (c *privateCluster) url(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, database)
}

// start starts the server on its port and waits until it accepts connections.
func (c *privateCluster) start(t *testing.T) {
	t.Helper()
	_, pgctl, err := findPGBins()
	if err != nil {
		t.Fatal(err)
	}
	out, err := runAsOwner(c.dir, pgctl, "-D", c.data, "-l", filepath.Join(c.dir, "postgres.log"),
		"-s", "-w", "-t", "60", "-o", fmt.Sprintf("-p %d", c.port), "start")
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

// stop stops the server: "immediate" is a crash (SIGQUIT to every backend,
// recovery at the next start), "fast" a clean shutdown that disconnects
// every client.
func (c *privateCluster) stop(t *testing.T, mode string) {
	t.Helper()
	if err := stopDataDir(c.data, c.dir, mode); err != nil {
		t.Fatal(err)
	}
}

func stopDataDir(data, dir, mode string) error {
	if !fileExists(filepath.Join(data, "postmaster.pid")) {
		return nil
	}
	_, pgctl, err := findPGBins()
	if err != nil {
		return err
	}
	out, err := runAsOwner(dir, pgctl, "-D", data, "-s", "-m", mode, "-w", "-t", "30", "stop")
	if err != nil {
		return fmt.Errorf("pg_ctl stop -m %s: %w\n%s", mode, err, out)
	}
	return nil
}

// runAsOwner runs a PostgreSQL program in dir, as the postgres user when
// the tests run as root (initdb and postgres refuse to run as root), with
// PG* variables removed from its environment.
func runAsOwner(dir, prog string, args ...string) (string, error) {
	cred, err := ownerCredential()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(prog, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	done := make(chan struct{})
	defer close(done)
	timer := time.AfterFunc(2*time.Minute, func() {
		select {
		case <-done:
		default:
			if cmd.Process != nil {
				_ = cmd.Process.Kill() // our own child, by its pid
			}
		}
	})
	defer timer.Stop()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func ownerCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs a 'postgres' user to run the private cluster as: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// findPGBins finds initdb and pg_ctl on PATH or in the newest
// /usr/lib/postgresql/*/bin (Debian keeps them off PATH).
func findPGBins() (initdb, pgctl string, err error) {
	if i, err := exec.LookPath("initdb"); err == nil {
		if p, err := exec.LookPath("pg_ctl"); err == nil {
			return i, p, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		i, p := filepath.Join(d, "initdb"), filepath.Join(d, "pg_ctl")
		if isExecutable(i) && isExecutable(p) {
			return i, p, nil
		}
	}
	return "", "", errors.New("initdb and pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin (install PostgreSQL)")
}

func pgMajor(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}
