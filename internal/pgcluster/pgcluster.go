//go:build unix

package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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

// ownerFile, in a directory made by MkdirOwned, holds the pid of the process
// that owns the directory.
const ownerFile = "owner.pid"

// baseConf starts what Init appends to postgresql.conf. The server listens on
// 127.0.0.1 only and has no unix sockets (whose paths are limited in length);
// durability is pointless for throwaway data.
const baseConf = `
# throwaway cluster (internal/pgcluster)
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
full_page_writes = off
`

// Cluster is a PostgreSQL cluster in a temporary directory. Its superuser is
// postgres, who connects to 127.0.0.1:Port without a password.
type Cluster struct {
	// Dir holds everything of the cluster: owner.pid, the data directory
	// data and the server log postgres.log. PostgreSQL programs run in it.
	Dir string
	// Port is the TCP port the server listens on; set it before Start.
	Port int

	data          string // data directory
	initdb, pgctl string
	cred          *syscall.Credential // non-nil: run PostgreSQL programs as this user
}

// New prepares a cluster in a new temporary directory os.TempDir()/prefix*
// made by MkdirOwned, and owned by the postgres user when the process is
// root. It fails when initdb and pg_ctl cannot be found (see FindBins). The
// caller must Destroy the cluster.
func New(prefix string) (*Cluster, error) {
	initdb, pgctl, err := FindBins()
	if err != nil {
		return nil, err
	}
	cred, err := ownerCredential()
	if err != nil {
		return nil, err
	}
	dir, err := MkdirOwned(prefix)
	if err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	return &Cluster{Dir: dir, data: filepath.Join(dir, "data"), initdb: initdb, pgctl: pgctl, cred: cred}, nil
}

// Init creates the data directory with initdb (superuser postgres, trust
// authentication, no fsync) given initdbArgs as well, such as the encoding
// and locale, and appends to its postgresql.conf the settings of baseConf
// and then conf.
func (c *Cluster) Init(conf string, initdbArgs ...string) error {
	args := append([]string{"-D", c.data, "-U", "postgres", "--auth=trust"}, initdbArgs...)
	if out, err := c.run(c.initdb, append(args, "--no-sync")...); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	f, err := os.OpenFile(filepath.Join(c.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(baseConf + conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Start starts the server on Port and waits, up to a minute, until it
// accepts connections. When that fails, it stops whatever did start and
// returns pg_ctl's output and the end of the server log with the error.
func (c *Cluster) Start() error {
	logFile := filepath.Join(c.Dir, "postgres.log")
	out, err := c.run(c.pgctl, "-D", c.data, "-l", logFile, "-s", "-w", "-t", "60",
		"-o", fmt.Sprintf("-p %d", c.Port), "start")
	if err == nil {
		return nil
	}
	log, _ := os.ReadFile(logFile)
	halt(c.pgctl, c.data, c.Dir, c.cred) //nolint:errcheck // best effort
	return fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, tail(string(log), 20))
}

// Stop stops the server with pg_ctl stop -m mode, waiting up to 30 s:
// "immediate" is a crash (SIGQUIT to every server process, recovery at the
// next start), "fast" a clean shutdown that disconnects every client. A
// server that is not running is not an error.
func (c *Cluster) Stop(mode string) error {
	return stop(c.pgctl, c.data, c.Dir, mode, c.cred)
}

// Destroy stops the server immediately, if it runs, and removes Dir.
func (c *Cluster) Destroy() error {
	err := halt(c.pgctl, c.data, c.Dir, c.cred)
	if rerr := os.RemoveAll(c.Dir); err == nil && rerr != nil {
		err = rerr
	}
	return err
}

// PID returns the pid of the server's postmaster process.
func (c *Cluster) PID() (int, error) {
	return readPID(filepath.Join(c.data, "postmaster.pid"))
}

func (c *Cluster) run(prog string, args ...string) (string, error) {
	return runAs(c.cred, c.Dir, prog, args...)
}

// stop stops the server of the data directory data with pg_ctl stop -m mode,
// if it runs (its postmaster.pid holds a pid).
func stop(pgctl, data, dir, mode string, cred *syscall.Credential) error {
	if _, err := readPID(filepath.Join(data, "postmaster.pid")); err != nil {
		return nil // not running
	}
	out, err := runAs(cred, dir, pgctl, "-D", data, "-s", "-m", mode, "-w", "-t", "30", "stop")
	if err != nil {
		return fmt.Errorf("pg_ctl stop -m %s: %w\n%s", mode, err, out)
	}
	return nil
}

// halt stops the server of the data directory data immediately, if it runs.
// When pg_ctl fails, it sends the postmaster SIGQUIT, PostgreSQL's immediate
// shutdown, itself, and waits up to 10 s for it to exit.
func halt(pgctl, data, dir string, cred *syscall.Credential) error {
	pid, err := readPID(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return nil // not running
	}
	err = stop(pgctl, data, dir, "immediate", cred)
	if err == nil {
		return nil
	}
	if kerr := syscall.Kill(pid, syscall.SIGQUIT); kerr == nil {
		for i := 0; i < 100 && Alive(pid); i++ {
			time.Sleep(100 * time.Millisecond)
		}
		if !Alive(pid) {
			return nil
		}
	}
	return err
}

// MkdirOwned makes a temporary directory os.TempDir()/prefix* marked as
// owned by this process (its pid is in the file owner.pid), so that
// SweepOrphans can remove it once the process is gone.
func MkdirOwned(prefix string) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// SweepOrphans removes the directories os.TempDir()/prefix* made by
// MkdirOwned for processes that no longer exist (for example test binaries
// that timed out or crashed), first stopping a cluster left running in one.
// The error tells which directories it could not clean up; they are kept.
func SweepOrphans(prefix string) error {
	var errs []error
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
	for _, dir := range dirs {
		owner, err := readPID(filepath.Join(dir, ownerFile))
		if err != nil || Alive(owner) {
			continue
		}
		if err := haltOrphan(dir); err != nil {
			errs = append(errs, fmt.Errorf("could not stop orphaned cluster in %s: %w", dir, err))
			continue
		}
		os.RemoveAll(dir)
	}
	return errors.Join(errs...)
}

// haltOrphan stops the server of the cluster in dir, if any, immediately.
func haltOrphan(dir string) error {
	data := filepath.Join(dir, "data")
	if _, err := readPID(filepath.Join(data, "postmaster.pid")); err != nil {
		return nil // not running, or not a cluster's directory
	}
	_, pgctl, err := FindBins()
	if err != nil {
		return err
	}
	cred, err := ownerCredential()
	if err != nil {
		return err
	}
	return halt(pgctl, data, dir, cred)
}

// runAs runs a PostgreSQL program in dir, as the user of cred when non-nil,
// and kills it if it takes more than two minutes. PG* variables are removed
// from its environment so that they cannot redirect it.
func runAs(cred *syscall.Credential, dir, prog string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
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
		return nil, fmt.Errorf("running as root needs a 'postgres' user to run PostgreSQL as: %w", err)
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

// FindBins finds initdb and pg_ctl on PATH or, as Debian and Ubuntu keep
// them off PATH, in the newest /usr/lib/postgresql/*/bin.
func FindBins() (initdb, pgctl string, err error) {
	if i, err := exec.LookPath("initdb"); err == nil {
		if p, err := exec.LookPath("pg_ctl"); err == nil {
			return i, p, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return binVersion(dirs[i]) > binVersion(dirs[j]) })
	for _, d := range dirs {
		i, p := filepath.Join(d, "initdb"), filepath.Join(d, "pg_ctl")
		if isExecutable(i) && isExecutable(p) {
			return i, p, nil
		}
	}
	return "", "", errors.New("initdb and pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin " +
		"(install PostgreSQL, e.g. the Debian package postgresql)")
}

// binVersion extracts the major version from /usr/lib/postgresql/<v>/bin.
func binVersion(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// FreePort returns a loopback TCP port that the kernel found free a moment
// ago, from its ephemeral range.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StablePort returns a loopback TCP port that was free a moment ago, for a
// server that must keep its port across restarts. It is chosen below the
// kernel's ephemeral range, where outgoing connections (which take
// ephemeral ports) cannot take it while the server is down.
func StablePort() (int, error) {
	lo := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				lo = n
			}
		}
	}
	const floor = 10000
	if lo-floor < 1000 {
		lo = 65535 // no room below the range: take any free port
	}
	for range 100 {
		port := floor + rand.IntN(lo-floor)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			l.Close()
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free port found below %d", lo)
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

// Alive reports whether a process with this pid exists and has not exited
// (a zombie has; it only waits for its parent to reap it).
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && strings.HasPrefix(string(stat[i:]), ") Z") {
			return false
		}
	}
	return true
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
