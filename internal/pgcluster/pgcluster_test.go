//go:build unix

package pgcluster

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	_ "github.com/lib/pq" // registers the "postgres" driver
)

const testPrefix = "attend-pgcluster-test-"

func listenable(t *testing.T, port int) {
	t.Helper()
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("port %d is not usable: %v", port, err)
	}
	l.Close()
}

func TestFreePort(t *testing.T) {
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	listenable(t, port)
}

func TestStablePort(t *testing.T) {
	port, err := StablePort()
	if err != nil {
		t.Fatal(err)
	}
	if port < 10000 || port > 65535 {
		t.Errorf("StablePort() = %d, want 10000..65535", port)
	}
	listenable(t, port)
}

func TestFindBins(t *testing.T) {
	initdb, pgctl, err := FindBins()
	if err != nil {
		t.Skip(err)
	}
	for _, p := range []string{initdb, pgctl} {
		if !isExecutable(p) {
			t.Errorf("%s is not an executable file", p)
		}
	}
}

func TestBinVersion(t *testing.T) {
	if v := binVersion("/usr/lib/postgresql/16/bin"); v != 16 {
		t.Errorf("binVersion = %v, want 16", v)
	}
	if v := binVersion("/usr/lib/postgresql/9.6/bin"); v != 9.6 {
		t.Errorf("binVersion = %v, want 9.6", v)
	}
}

// deadPID returns the pid of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestAlive(t *testing.T) {
	if !Alive(os.Getpid()) {
		t.Error("Alive(own pid) = false")
	}
	if pid := deadPID(t); Alive(pid) {
		t.Errorf("Alive(%d) = true for an exited process", pid)
	}
	if Alive(0) || Alive(-1) {
		t.Error("Alive is true for a pid <= 0")
	}
}

func TestSweepOrphans(t *testing.T) {
	mine, err := MkdirOwned(testPrefix + "sweep-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(mine)
	orphan, err := MkdirOwned(testPrefix + "sweep-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(orphan)
	if err := os.WriteFile(filepath.Join(orphan, ownerFile), []byte(strconv.Itoa(deadPID(t))), 0o644); err != nil {
		t.Fatal(err)
	}

	if err := SweepOrphans(testPrefix + "sweep-"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("directory of a live owner was swept: %v", err)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("orphaned directory %s still exists (stat: %v)", orphan, err)
	}
}

// gone reports whether the process has exited within a second: the
// postmaster removes its pid file, which pg_ctl waits for, just before it
// exits.
func gone(pid int) bool {
	for range 20 {
		if !Alive(pid) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// TestCluster creates, starts, restarts and destroys a cluster.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	if _, _, err := FindBins(); err != nil {
		t.Skip(err)
	}
	c, err := New(testPrefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Destroy() }) //nolint:errcheck // only matters if the test failed early
	if err := c.Init("max_connections = 20\n", "-E", "UTF8", "--no-locale"); err != nil {
		t.Fatal(err)
	}
	if c.Port, err = FreePort(); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	pid, err := c.PID()
	if err != nil {
		t.Fatal(err)
	}
	if !Alive(pid) {
		t.Fatalf("postmaster %d is not running", pid)
	}

	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.Port)
	show := func(setting string) string {
		t.Helper()
		db, err := sql.Open("postgres", url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var v string
		if err := db.QueryRowContext(ctx, "SHOW "+setting).Scan(&v); err != nil {
			t.Fatalf("SHOW %s: %v", setting, err)
		}
		return v
	}
	for setting, want := range map[string]string{
		"listen_addresses":        "127.0.0.1",
		"unix_socket_directories": "",
		"fsync":                   "off",
		"max_connections":         "20",
		"server_encoding":         "UTF8",
	} {
		if got := show(setting); got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}

	// A crash and a clean shutdown, each followed by a restart on the same
	// port.
	for _, mode := range []string{"immediate", "fast"} {
		if err := c.Stop(mode); err != nil {
			t.Fatal(err)
		}
		if !gone(pid) {
			t.Errorf("postmaster %d still running after Stop(%q)", pid, mode)
		}
		if err := c.Stop(mode); err != nil {
			t.Errorf("Stop(%q) of a stopped server: %v", mode, err)
		}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		if got := show("fsync"); got != "off" {
			t.Errorf("after restart: fsync = %q", got)
		}
		if pid, err = c.PID(); err != nil {
			t.Fatal(err)
		}
	}

	if err := c.Destroy(); err != nil {
		t.Fatal(err)
	}
	if !gone(pid) {
		t.Errorf("postmaster %d still running after Destroy", pid)
	}
	if _, err := os.Stat(c.Dir); !os.IsNotExist(err) {
		t.Errorf("cluster directory %s still exists (stat: %v)", c.Dir, err)
	}
}
