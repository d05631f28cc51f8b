package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/config"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/seal"
	"github.com/attend/attend/server"
	"github.com/attend/attend/store"
)

// TestSecret is the SECRET_KEY of the test servers.
const TestSecret = "an-api-test-secret-of-at-least-32-characters"

// Config is the configuration attend would load from a bare
// environment, with rate limits lifted and sign-ins not slowed down, so
// tests may register and sign in freely.
func Config(t *testing.T) config.Config {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL":        "postgres://attend@127.0.0.1:5432/attend?sslmode=disable",
		"SECRET_KEY":          TestSecret,
		"REGISTER_RATE_LIMIT": "1000000",
		"LOGIN_RATE_LIMIT":    "1000000",
		"LOGIN_IP_RATE_LIMIT": "1000000",
		"LOGIN_DELAY":         "0",
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.Need{SecretKey: true})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// SyncBuffer collects the server's logs; requests may log concurrently.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Server is the real server on a fresh database, with an organizer and
// their API token.
type Server struct {
	T     *testing.T
	DB    *sqlx.DB
	Store *store.Store
	Srv   *server.Server
	Rules *domain.Rules
	Logs  *SyncBuffer
	Org   *domain.Organizer
	Token string
}

// Option adjusts the dependencies a test server is built with.
type Option func(*server.Deps)

// New starts the real server on a fresh database, with an organizer and
// their API token; opts adjust its dependencies.
func New(t *testing.T, opts ...Option) *Server {
	t.Helper()
	db := pgtest.NewDB(t)
	st := store.New(db)
	sealer, err := seal.New([]byte(TestSecret))
	if err != nil {
		t.Fatal(err)
	}
	st.Sealer = sealer
	logs := &SyncBuffer{}
	deps := server.Deps{
		Config: Config(t),
		Store:  st,
		Rules:  domain.NewRules(),
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, o := range opts {
		o(&deps)
	}
	a := &Server{T: t, DB: db, Store: st, Srv: Handler(t, deps), Rules: deps.Rules, Logs: logs}
	a.Org, a.Token = a.Organizer("lead@example.org")
	return a
}

// Organizer creates an organizer account and an API token for it.
func (a *Server) Organizer(email string) (*domain.Organizer, string) {
	a.T.Helper()
	ctx := context.Background()
	o, err := domain.NewOrganizer(email, "Organizer "+email)
	if err != nil {
		a.T.Fatal(err)
	}
	if err := a.Store.CreateOrganizer(ctx, o); err != nil {
		a.T.Fatal(err)
	}
	plain, hash, err := domain.NewToken()
	if err != nil {
		a.T.Fatal(err)
	}
	if err := a.Store.CreateAPIToken(ctx, o.ID, hash); err != nil {
		a.T.Fatal(err)
	}
	return o, plain
}

// Request describes one call to the server.
type Request struct {
	Method, Path string
	Body         string // sent as is
	ContentType  string // default application/json when there is a body
	Token        string // Bearer token, if any
	Header       http.Header
}

// Do sends r to the server and returns its answer.
func (a *Server) Do(r Request) *httptest.ResponseRecorder {
	a.T.Helper()
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	if r.Body != "" {
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	a.Srv.ServeHTTP(rec, req)
	return rec
}

// Get sends a GET, with an organizer's token when token is not empty.
func (a *Server) Get(path, token string) *httptest.ResponseRecorder {
	a.T.Helper()
	return a.Do(Request{Method: http.MethodGet, Path: path, Token: token})
}

// Post sends body (a string as is, anything else as JSON) in a POST.
func (a *Server) Post(path, token string, body any) *httptest.ResponseRecorder {
	a.T.Helper()
	return a.Do(Request{Method: http.MethodPost, Path: path, Token: token, Body: JSONText(a.T, body)})
}

// Patch sends body (a string as is, anything else as JSON) in a PATCH.
func (a *Server) Patch(path, token string, body any) *httptest.ResponseRecorder {
	a.T.Helper()
	return a.Do(Request{Method: http.MethodPatch, Path: path, Token: token, Body: JSONText(a.T, body)})
}

// JSONText is v as JSON, or v itself when it is a string.
func JSONText(t *testing.T, v any) string {
	t.Helper()
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Decode reads a JSON response body after checking its status.
func Decode[T any](t *testing.T, rec *httptest.ResponseRecorder, status int) T {
	t.Helper()
	var v T
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body: %s", rec.Code, status, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, rec.Body)
	}
	return v
}

// ProblemBody is an RFC 9457 problem as attend writes it.
type ProblemBody struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail"`
	Errors    []domain.FieldError `json:"errors"`
	RequestID string              `json:"request_id"`
	Reason    string              `json:"reason"`
	SeatsHeld *int                `json:"seats_held"`
}

// Problem checks that rec is a problem+json answer with the given status and
// the members every problem carries, and returns it.
func Problem(t *testing.T, rec *httptest.ResponseRecorder, status int) ProblemBody {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	p := Decode[ProblemBody](t, rec, status)
	var raw map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	for _, member := range []string{"type", "title", "status", "request_id"} {
		if _, ok := raw[member]; !ok {
			t.Errorf("problem has no %q: %s", member, rec.Body)
		}
	}
	if p.Status != status {
		t.Errorf("problem status = %d, want %d", p.Status, status)
	}
	if !strings.Contains(p.Type, "/problems/") || p.Title == "" {
		t.Errorf("problem type %q, title %q; want a /problems/ URI and a title", p.Type, p.Title)
	}
	if p.RequestID == "" || p.RequestID != rec.Header().Get("X-Request-Id") {
		t.Errorf("problem request_id %q, X-Request-Id %q; want the same non-empty id", p.RequestID, rec.Header().Get("X-Request-Id"))
	}
	return p
}

// FieldCodes maps a problem's field errors to their codes.
func FieldCodes(p ProblemBody) map[string]string {
	out := map[string]string{}
	for _, f := range p.Errors {
		out[f.Field] = f.Code
	}
	return out
}

// EventBody is a valid POST /api/v1/events body; change adjusts it.
func EventBody(slug string, change func(map[string]any)) map[string]any {
	start := domain.DateOf(time.Now()).AddDays(30)
	b := map[string]any{
		"slug":          slug,
		"title":         "E-government workshop " + slug,
		"country":       "UZ",
		"timezone":      "Asia/Tashkent",
		"starts_on":     start.String(),
		"ends_on":       start.AddDays(1).String(),
		"languages":     []string{"en", "ru", "uz"},
		"co_organizers": []string{"Astana Civil Service Hub"},
	}
	if change != nil {
		change(b)
	}
	return b
}

// Event creates an event through the API as the given organizer.
func (a *Server) Event(token, slug string, change func(map[string]any)) map[string]any {
	a.T.Helper()
	rec := a.Post("/api/v1/events", token, EventBody(slug, change))
	return Decode[map[string]any](a.T, rec, http.StatusCreated)
}

// Participant is a valid registration body; change adjusts it.
func Participant(email string, change func(map[string]any)) map[string]any {
	b := map[string]any{
		"first_name":   "Dilnoza",
		"last_name":    "Yusupova",
		"email":        email,
		"country":      "UZ",
		"organization": "Centre for Economic Research and Reforms",
		"role":         "researcher",
		"consent":      true,
	}
	if change != nil {
		change(b)
	}
	return b
}

// Register registers for the event slug through the JSON API, as a participant.
func (a *Server) Register(slug string, body any) *httptest.ResponseRecorder {
	a.T.Helper()
	return a.Post("/api/v1/events/"+slug+"/registrations", "", body)
}

// CountRows runs a query that counts something and returns the count.
func CountRows(t *testing.T, a *Server, query string) int {
	t.Helper()
	var n int
	if err := a.DB.Get(&n, query); err != nil {
		t.Fatal(err)
	}
	return n
}

// Handler builds the server from deps, failing the test when it cannot.
func Handler(t testing.TB, deps server.Deps) *server.Server {
	t.Helper()
	srv, err := server.New(deps)
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	return srv
}

// RouteParam matches the parameters of a route pattern (:slug, *path), for
// tests that walk the route table and fill them in.
var RouteParam = regexp.MustCompile(`[:*][a-z_]+`)

// Proxied puts the server behind a trusted reverse proxy at httptest's
// client address, which forwards the client's address in X-Forwarded-For.
func Proxied(d *server.Deps) { d.Config.TrustedProxies = []string{"192.0.2.1"} }

// Median is the middle of durations measured.
func Median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
