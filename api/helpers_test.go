package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/api"
	"github.com/attend/attend/config"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/seal"
	"github.com/attend/attend/store"
)

// testSecret is the SECRET_KEY of the test servers.
const testSecret = "an-api-test-secret-of-at-least-32-characters"

// testConfig is the configuration attend would load from a bare
// environment, with rate limits lifted and sign-ins not slowed down, so
// tests may register and sign in freely.
func testConfig(t *testing.T) config.Config {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL":        "postgres://attend@127.0.0.1:5432/attend?sslmode=disable",
		"SECRET_KEY":          testSecret,
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

// syncBuffer collects the server's logs; requests may log concurrently.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testAPI is the real server on a fresh database, with an organizer and
// their API token.
type testAPI struct {
	t     *testing.T
	db    *sqlx.DB
	st    *store.Store
	srv   *api.Server
	rules *domain.Rules
	logs  *syncBuffer
	org   *domain.Organizer
	token string
}

type apiOption func(*api.Deps)

func newAPI(t *testing.T, opts ...apiOption) *testAPI {
	t.Helper()
	db := pgtest.NewDB(t)
	st := store.New(db)
	sealer, err := seal.New([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	st.Sealer = sealer
	logs := &syncBuffer{}
	deps := api.Deps{
		Config: testConfig(t),
		Store:  st,
		Rules:  domain.NewRules(),
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, o := range opts {
		o(&deps)
	}
	a := &testAPI{t: t, db: db, st: st, srv: api.New(deps), rules: deps.Rules, logs: logs}
	a.org, a.token = a.organizer("lead@example.org")
	return a
}

// organizer creates an organizer account and an API token for it.
func (a *testAPI) organizer(email string) (*domain.Organizer, string) {
	a.t.Helper()
	ctx := context.Background()
	o, err := domain.NewOrganizer(email, "Organizer "+email)
	if err != nil {
		a.t.Fatal(err)
	}
	if err := a.st.CreateOrganizer(ctx, o); err != nil {
		a.t.Fatal(err)
	}
	plain, hash, err := domain.NewToken()
	if err != nil {
		a.t.Fatal(err)
	}
	if err := a.st.CreateAPIToken(ctx, o.ID, hash); err != nil {
		a.t.Fatal(err)
	}
	return o, plain
}

// request describes one call to the server.
type request struct {
	method, path string
	body         string // sent as is
	contentType  string // default application/json when there is a body
	token        string // Bearer token, if any
	header       http.Header
}

func (a *testAPI) do(r request) *httptest.ResponseRecorder {
	a.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if r.body != "" {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, vs := range r.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	a.srv.ServeHTTP(rec, req)
	return rec
}

func (a *testAPI) get(path, token string) *httptest.ResponseRecorder {
	a.t.Helper()
	return a.do(request{method: http.MethodGet, path: path, token: token})
}

func (a *testAPI) post(path, token string, body any) *httptest.ResponseRecorder {
	a.t.Helper()
	return a.do(request{method: http.MethodPost, path: path, token: token, body: jsonText(a.t, body)})
}

func (a *testAPI) patch(path, token string, body any) *httptest.ResponseRecorder {
	a.t.Helper()
	return a.do(request{method: http.MethodPatch, path: path, token: token, body: jsonText(a.t, body)})
}

func jsonText(t *testing.T, v any) string {
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

// decode reads a JSON response body after checking its status.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder, status int) T {
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

// problemBody is an RFC 9457 problem as attend writes it.
type problemBody struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail"`
	Errors    []domain.FieldError `json:"errors"`
	RequestID string              `json:"request_id"`
	Reason    string              `json:"reason"`
	SeatsHeld *int                `json:"seats_held"`
}

// problem checks that rec is a problem+json answer with the given status and
// the members every problem carries, and returns it.
func problem(t *testing.T, rec *httptest.ResponseRecorder, status int) problemBody {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	p := decode[problemBody](t, rec, status)
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

// fieldCodes maps a problem's field errors to their codes.
func fieldCodes(p problemBody) map[string]string {
	out := map[string]string{}
	for _, f := range p.Errors {
		out[f.Field] = f.Code
	}
	return out
}

// eventBody is a valid POST /api/v1/events body; change adjusts it.
func eventBody(slug string, change func(map[string]any)) map[string]any {
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

// event creates an event through the API as the given organizer.
func (a *testAPI) event(token, slug string, change func(map[string]any)) map[string]any {
	a.t.Helper()
	rec := a.post("/api/v1/events", token, eventBody(slug, change))
	return decode[map[string]any](a.t, rec, http.StatusCreated)
}

// participant is a valid registration body; change adjusts it.
func participant(email string, change func(map[string]any)) map[string]any {
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

func (a *testAPI) register(slug string, body any) *httptest.ResponseRecorder {
	a.t.Helper()
	return a.post("/api/v1/events/"+slug+"/registrations", "", body)
}
