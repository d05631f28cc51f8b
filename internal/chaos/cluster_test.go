//go:build linux

package chaos

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/attend/attend/internal/pgcluster"
)

// privateCluster is a PostgreSQL server of the test's own, which the test
// may stop and start; the shared server of internal/pgtest must never be.
type privateCluster struct {
	*pgcluster.Cluster
}

// privateConf is appended to postgresql.conf, after pgcluster's settings
// (127.0.0.1 only, no unix sockets, fsync off). It keeps synchronous_commit
// on: attend's promise that an accepted registration survives rests on it
// (fsync off only matters if the machine, not the process, crashes).
const privateConf = `
# attend chaos suite private cluster
max_connections = 100
`

// startPrivateCluster creates and starts a cluster with a database named
// attend; it is stopped and removed when the test ends. Its port stays the
// same across restarts.
func startPrivateCluster(t *testing.T) *privateCluster {
	t.Helper()
	pc, err := pgcluster.New(tempPrefix + "pg-")
	if err != nil {
		t.Fatalf("private cluster: %v", err)
	}
	c := &privateCluster{pc}
	t.Cleanup(func() {
		if err := c.Destroy(); err != nil {
			t.Errorf("stop private cluster: %v", err)
		}
	})
	c.Port = freePort(t)
	if err := c.Init(privateConf, "-E", "UTF8", "--no-locale"); err != nil {
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
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, database)
}

// start starts the server on its port and waits until it accepts connections.
func (c *privateCluster) start(t *testing.T) {
	t.Helper()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
}

// stop stops the server: "immediate" is a crash (SIGQUIT to every backend,
// recovery at the next start), "fast" a clean shutdown that disconnects
// every client.
func (c *privateCluster) stop(t *testing.T, mode string) {
	t.Helper()
	if err := c.Stop(mode); err != nil {
		t.Fatal(err)
	}
}
