//go:build unix

package pgtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clusterPrefix names the temporary directories of throwaway clusters.
const clusterPrefix = "attend-pgtest-"

// cluster is a throwaway PostgreSQL cluster in a temporary directory,
// listening on 127.0.0.1 only, with trust authentication for user postgres.
type cluster struct {
	dir   string // temporary directory holding everything
	data  string // data directory
	port  int
	pgctl string
	cred  *syscall.Credential // non-nil: run PostgreSQL programs as this user
}

// clusterConf is appended to postgresql.conf. Durability is pointless for
// test data; unix sockets are disabled to avoid path length limits.
const clusterConf = `
# pgtest throwaway cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
`

// startCluster creates and starts a throwaway cluster. The caller must stop
// it; clusters of test processes that died without doing so are cleaned up
// by the next startCluster.
func startCluster() (_ *cluster, err error) {
	sweepOrphans()

	initdb, pgctl, err := findPGBins()
	if err != nil {
		return nil, err
	}
	cred, err := ownerCredential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", clusterPrefix)
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, data: filepath.Join(dir, "data"), pgctl: pgctl, cred: cred}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	// owner.pid lets a later run recognise this cluster as orphaned when this
	// process dies without stopping it.
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}

	if out, err := c.run(initdb, "-D", c.data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	f, err := os.OpenFile(filepath.Join(c.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(clusterConf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}

	// Another process may grab the free port before the server binds it;
	// try a few ports.
	logFile := filepath.Join(dir, "postgres.log")
	for attempt := 1; ; attempt++ {
		if c.port, err = freePort(); err != nil {
			return nil, err
		}
		out, err := c.run(pgctl, "-D", c.data, "-l", logFile, "-s", "-w", "-t", "60",
			"-o", fmt.Sprintf("-p %d", c.port), "start")
		if err == nil {
			return c, nil
		}
		logTail, _ := os.ReadFile(logFile)
		stopDataDir(pgctl, c.data, dir, cred) //nolint:errcheck // best effort
		if attempt == 3 {
			return nil, fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, tail(string(logTail), 20))
		}
	}
}

// stop stops the cluster (immediately: its data is thrown away) and removes
// its directory.
func (c *cluster) stop() error {
	err := stopDataDir(c.pgctl, c.data, c.dir, c.cred)
	if rerr := os.RemoveAll(c.dir); err == nil && rerr != nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("stopping throwaway cluster in %s: %w", c.dir, err)
	}
	return nil
}

// postmasterPID returns the pid of the cluster's server process.
func (c *cluster) postmasterPID() (int, error) {
	return readPID(filepath.Join(c.data, "postmaster.pid"))
}

func stopDataDir(pgctl, data, dir string, cred *syscall.Credential) error {
	pid, pidErr := readPID(filepath.Join(data, "postmaster.pid"))
	if pidErr != nil {
		return nil // not running
	}
	out, err := runAs(cred, dir, pgctl, "-D", data, "-s", "-m", "immediate", "-w", "-t", "30", "stop")
	if err == nil {
		return nil
	}
	// Last resort: SIGQUIT is PostgreSQL's immediate shutdown.
	if kerr := syscall.Kill(pid, syscall.SIGQUIT); kerr == nil {
		for i := 0; i < 100 && alive(pid); i++ {
			time.Sleep(100 * time.Millisecond)
		}
		if !alive(pid) {
			return nil
		}
	}
	return fmt.Errorf("pg_ctl stop: %w\n%s", err, out)
}

// sweepOrphans stops and removes throwaway clusters whose owning process no
// longer exists (for example after a test binary timed out or crashed).
func sweepOrphans() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), clusterPrefix+"*"))
	for _, dir := range dirs {
		owner, err := readPID(filepath.Join(dir, "owner.pid"))
		if err != nil || alive(owner) {
			continue
		}
		_, pgctl, err := findPGBins()
		if err != nil {
			return
		}
		cred, _ := ownerCredential()
		if err := stopDataDir(pgctl, filepath.Join(dir, "data"), dir, cred); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: could not stop orphaned cluster: %v\n", err)
			continue
		}
		os.RemoveAll(dir)
	}
}

func (c *cluster) run(prog string, args ...string) (string, error) {
	return runAs(c.cred, c.dir, prog, args...)
}

// runAs runs a PostgreSQL program in dir, as the user of cred when non-nil.
// PG* variables are removed from its environment so that they cannot
// redirect it.
func runAs(cred *syscall.Credential, dir, prog string, args ...string) (string, error) {
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
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// ownerCredential returns the credential to run PostgreSQL programs with:
// nil normally, the postgres user's when running as root (initdb and
// postgres refuse to run as root).
func ownerCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs a 'postgres' user to run the throwaway cluster as: %w", err)
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

// findPGBins finds initdb and pg_ctl on PATH or, as Debian and Ubuntu keep
// them off PATH, in the newest /usr/lib/postgresql/*/bin.
func findPGBins() (initdb, pgctl string, err error) {
	if i, err := exec.LookPath("initdb"); err == nil {
		if p, err := exec.LookPath("pg_ctl"); err == nil {
			return i, p, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		i, p := filepath.Join(d, "initdb"), filepath.Join(d, "pg_ctl")
		if isExecutable(i) && isExecutable(p) {
			return i, p, nil
		}
	}
	return "", "", errors.New("initdb and pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin " +
		"(install PostgreSQL, e.g. the Debian package postgresql, or set TEST_DATABASE_URL)")
}

// pgVersion extracts the major version from /usr/lib/postgresql/<v>/bin.
func pgVersion(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// readPID reads the pid on the first line of a pid file.
func readPID(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(line))
}

// alive reports whether a process with this pid exists.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	// A zombie has exited; it is only waiting for its parent to reap it.
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && strings.HasPrefix(string(stat[i:]), ") Z") {
			return false
		}
	}
	return true
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
