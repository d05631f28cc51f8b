//go:build linux

package chaos

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proc is one running attend child process. Its standard error (JSON logs)
// is kept in memory: the address it listens on is read from it, and the
// last lines are printed when the test fails.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited and been reaped

	mu        sync.Mutex
	lines     []string
	listening chan string // receives the bound address once
	state     *os.ProcessState
	waitErr   error
	ended     time.Time
}

// startProc starts `attend args...` with env. The test's cleanup kills it
// (by its pid) if it is still running, and fails the test if its log shows
// a data race or a panic.
func startProc(t *testing.T, name string, e env, args ...string) *proc {
	t.Helper()
	return startProcOf(t, binary(t), name, e, args...)
}

// startProcOf is startProc with a given attend binary.
func startProcOf(t *testing.T, bin, name string, e env, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = e.list()
	// The child dies with the test process, however that ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	p := &proc{name: name, cmd: cmd, done: make(chan struct{}), listening: make(chan string, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		p.scan(stderr)
	}()
	go func() {
		<-scanned // Wait closes the pipe: read it to the end first
		err := cmd.Wait()
		p.mu.Lock()
		p.state, p.waitErr, p.ended = cmd.ProcessState, err, time.Now()
		p.mu.Unlock()
		close(p.done)
	}()
	t.Cleanup(func() {
		if p.running() {
			p.kill()
		}
		p.report(t)
	})
	return p
}

func (p *proc) scan(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		p.mu.Lock()
		p.lines = append(p.lines, line)
		p.mu.Unlock()
		if strings.Contains(line, `"msg":"listening"`) {
			var rec struct {
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Addr != "" {
				select {
				case p.listening <- rec.Addr:
				default:
				}
			}
		}
	}
	_, _ = io.Copy(io.Discard, r) // a line over 1 MB: keep the pipe drained
}

// report fails the test on a race or panic in the child's log and prints
// the log's tail when the test has failed.
func (p *proc) report(t *testing.T) {
	p.mu.Lock()
	lines := append([]string(nil), p.lines...)
	p.mu.Unlock()
	// Whatever a case injects, attend never answers 500: every failure it
	// can meet has a proper answer (503, 413, 499 for a client gone).
	for _, l := range lines {
		if strings.Contains(l, "WARNING: DATA RACE") || strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") ||
			strings.Contains(l, `"status":500`) || strings.Contains(l, `"msg":"internal error"`) {
			t.Errorf("%s: %s (see its log below)", p.name, l)
			break
		}
	}
	if t.Failed() {
		// Routine request lines would drown the interesting ones.
		var kept []string
		for _, l := range lines {
			if !strings.Contains(l, `"level":"INFO","msg":"request"`) {
				kept = append(kept, l)
			}
		}
		from := max(0, len(kept)-40)
		t.Logf("last %d of %d log lines (other than successful requests) of %s (pid %d):\n%s",
			len(kept)-from, len(lines), p.name, p.pid(), strings.Join(kept[from:], "\n"))
	}
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// logContains reports whether some log line contains s, waiting up to two
// seconds for the line: logs reach the test through a pipe, after the
// answer they go with.
func (p *proc) logContains(s string) bool {
	deadline := time.Now().Add(2 * time.Second)
	for {
		p.mu.Lock()
		for _, l := range p.lines {
			if strings.Contains(l, s) {
				p.mu.Unlock()
				return true
			}
		}
		p.mu.Unlock()
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill sends SIGKILL to the process and waits until it is reaped.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL) // it may have exited already
	<-p.done
}

// signal sends sig to the process.
func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("%s: send %v: %v", p.name, sig, err)
	}
}

// wait waits up to timeout for the process to exit and returns its exit
// code and when it ended; the test fails if it does not exit.
func (p *proc) wait(t *testing.T, timeout time.Duration) (code int, ended time.Time) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.kill()
		t.Fatalf("%s did not exit within %s; killed it", p.name, timeout)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state.ExitCode(), p.ended
}

// server is a running `attend serve` (or one being restarted).
type server struct {
	*proc
	addr string
}

func (s *server) url() string { return "http://" + s.addr }

// startServer runs `attend serve` and waits until it answers /healthz.
func startServer(t *testing.T, name string, e env) *server {
	t.Helper()
	return awaitServer(t, startProc(t, name, e, "serve"))
}

// awaitServer waits until a started `attend serve` answers /healthz.
func awaitServer(t *testing.T, p *proc) *server {
	t.Helper()
	var addr string
	select {
	case addr = <-p.listening:
	case <-p.done:
		t.Fatalf("%s exited before listening: %v", p.name, p.waitErr)
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start listening within 30s", p.name)
	}
	s := &server{proc: p, addr: addr}
	client := &http.Client{Timeout: time.Second}
	waitFor(t, 15*time.Second, p.name+" answers /healthz", func() (bool, string) {
		resp, err := client.Get(s.url() + "/healthz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
	return s
}

// runAttend runs a short attend command (migrate, organizer, token) and
// returns its standard output.
func runAttend(t *testing.T, e env, stdin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Env = e.list()
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("attend %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// vmRSS reads a process's resident set size in bytes from /proc.
func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) != 2 || f[1] != "kB" {
				break
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS line")
}
