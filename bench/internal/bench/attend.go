package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// secretKey is the SECRET_KEY of every attend process of a run; the bench
// seals outbox tokens with it too.
const secretKey = "attend-bench-secret-key-0123456789abcdef"

// organizerEmail is the organizer every part creates.
const organizerEmail = "bench@example.org"

// Attend is one database prepared for attend: migrated, with an organizer
// and an API token.
type Attend struct {
	env   *Env
	DSN   string
	Token string
}

// NewAttend creates a database, migrates it with the built binary and
// creates an organizer and an API token through the binary's own commands.
func (e *Env) NewAttend(ctx context.Context, part string) (*Attend, error) {
	dsn, err := e.CreateDB(ctx, part)
	if err != nil {
		return nil, err
	}
	a := &Attend{env: e, DSN: dsn}
	if _, err := run(ctx, a.environ(nil), nil, e.AttendBin, "migrate"); err != nil {
		return nil, err
	}
	if _, err := run(ctx, a.environ(nil), nil, e.AttendBin, "organizer", "add", "--email", organizerEmail, "--name", "Bench Organizer"); err != nil {
		return nil, err
	}
	out, err := run(ctx, a.environ(nil), nil, e.AttendBin, "token", "create", "--email", organizerEmail)
	if err != nil {
		return nil, err
	}
	a.Token = strings.TrimSpace(out)
	return a, nil
}

// environ is the process environment for attend: the bench's settings over
// a minimal base, then extra.
func (a *Attend) environ(extra map[string]string) []string {
	env := map[string]string{
		"PATH":              os.Getenv("PATH"),
		"HOME":              os.Getenv("HOME"),
		"DATABASE_URL":      a.DSN,
		"SECRET_KEY":        secretKey,
		"HTTP_ADDR":         "127.0.0.1:0",
		"BASE_URL":          "http://127.0.0.1:8080",
		"LOG_LEVEL":         "info",
		"MAIL_FROM":         "attend <noreply@bench.invalid>",
		"DB_MAX_OPEN_CONNS": strconv.Itoa(a.env.DBMaxOpenConns),
	}
	for k, v := range extra {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// Server is a running `attend serve`.
type Server struct {
	*Proc
	URL   string
	Token string
	log   string
}

// Serve starts `attend serve` on a free loopback port and waits until it
// listens. Its JSON log goes to a file in the scratch directory.
func (a *Attend) Serve(ctx context.Context, name string, extra map[string]string) (*Server, error) {
	logName := name + ".log"
	f, err := a.env.LogFile(logName)
	if err != nil {
		return nil, err
	}
	w := &listenWatcher{found: make(chan string, 1)}
	cmd := exec.Command(a.env.AttendBin, "serve")
	cmd.Env = a.environ(extra)
	cmd.Stdout = f
	cmd.Stderr = io.MultiWriter(f, w)
	p, err := a.env.Start(name, cmd)
	if err != nil {
		f.Close()
		return nil, err
	}
	go func() { <-p.done; f.Close() }()
	select {
	case addr := <-w.found:
		return &Server{Proc: p, URL: "http://" + addr, Token: a.Token, log: logName}, nil
	case <-p.done:
		return nil, fmt.Errorf("bench: attend serve exited: %v\n%s", p.err, a.env.Tail(logName, 20))
	case <-time.After(60 * time.Second):
		p.Stop(5 * time.Second)
		return nil, fmt.Errorf("bench: attend serve did not listen within 60s\n%s", a.env.Tail(logName, 20))
	case <-ctx.Done():
		p.Stop(5 * time.Second)
		return nil, ctx.Err()
	}
}

// listenWatcher finds the "listening" line in attend's JSON log.
type listenWatcher struct {
	mu    sync.Mutex
	buf   []byte
	done  bool
	found chan string
}

func (w *listenWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := w.buf[:i]
		w.buf = w.buf[i+1:]
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" && rec.Addr != "" {
			w.done = true
			w.buf = nil
			w.found <- rec.Addr
			break
		}
	}
	return len(p), nil
}

// Do sends an organizer request and decodes a JSON answer into out (unless nil).
func (s *Server) Do(ctx context.Context, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d: %s", method, path, resp.StatusCode, truncate(string(b), 500))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// EventSpec is what the bench needs of an event.
type EventSpec struct {
	Slug     string
	Capacity int // 0: unlimited
	Days     int // number of days, at least 1
}

// CreateEvent creates a published event starting in 30 days through the API
// and returns its id in the database.
func (s *Server) CreateEvent(ctx context.Context, spec EventSpec) error {
	days := max(spec.Days, 1)
	start := time.Now().AddDate(0, 0, 30)
	body := map[string]any{
		"slug": spec.Slug, "title": "Bench " + spec.Slug, "country": "UZ", "timezone": "Asia/Tashkent",
		"venue": "Bench Hall", "city": "Tashkent",
		"starts_on": start.Format("2006-01-02"), "ends_on": start.AddDate(0, 0, days-1).Format("2006-01-02"),
		"languages": []string{"en", "ru", "uz"},
	}
	if spec.Capacity > 0 {
		body["capacity"] = spec.Capacity
	}
	_, err := s.Do(ctx, http.MethodPost, "/api/v1/events", body, nil)
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// serveEvents starts `attend serve` for a part, on the part's own database,
// and creates the given events through the API. The caller stops the
// server; on error nothing is left running.
func (e *Env) serveEvents(ctx context.Context, part string, events ...EventSpec) (*Attend, *Server, error) {
	a, err := e.NewAttend(ctx, part)
	if err != nil {
		return nil, nil, err
	}
	srv, err := a.Serve(ctx, "serve-"+part, serveEnv)
	if err != nil {
		return nil, nil, err
	}
	for _, ev := range events {
		if err := srv.CreateEvent(ctx, ev); err != nil {
			srv.Stop(10 * time.Second)
			return nil, nil, err
		}
	}
	return a, srv, nil
}
