//go:build unix

package pgtest

import (
	"fmt"
	"os"

	"github.com/attend/attend/internal/pgcluster"
)

// clusterPrefix names the temporary directories of throwaway clusters.
const clusterPrefix = "attend-pgtest-"

// cluster is a throwaway PostgreSQL cluster in a temporary directory,
// listening on 127.0.0.1 only, with trust authentication for user postgres.
type cluster struct {
	*pgcluster.Cluster
}

// clusterConf is appended to postgresql.conf, after pgcluster's settings
// (127.0.0.1 only, no unix sockets, fsync off). Durability is pointless for
// test data.
const clusterConf = `
# pgtest throwaway cluster
synchronous_commit = off
max_connections = 300
`

// startCluster creates and starts a throwaway cluster. The caller must stop
// it; clusters of test processes that died without doing so are cleaned up
// by the next startCluster.
func startCluster() (_ *cluster, err error) {
	sweepOrphans()

	pc, err := pgcluster.New(clusterPrefix)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			pc.Destroy() //nolint:errcheck // best effort
		}
	}()
	if err := pc.Init(clusterConf, "-E", "UTF8", "--locale=C.UTF-8"); err != nil {
		return nil, err
	}

	// Another process may grab the free port before the server binds it;
	// try a few ports.
	for attempt := 1; ; attempt++ {
		if pc.Port, err = pgcluster.FreePort(); err != nil {
			return nil, err
		}
		err = pc.Start()
		if err == nil {
			return &cluster{pc}, nil
		}
		if attempt == 3 {
			return nil, err
		}
	}
}

// stop stops the cluster (immediately: its data is thrown away) and removes
// its directory.
func (c *cluster) stop() error {
	if err := c.Destroy(); err != nil {
		return fmt.Errorf("stopping throwaway cluster in %s: %w", c.Dir, err)
	}
	return nil
}

// sweepOrphans stops and removes throwaway clusters whose owning process no
// longer exists (for example after a test binary timed out or crashed).
func sweepOrphans() {
	if err := pgcluster.SweepOrphans(clusterPrefix); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
	}
}
