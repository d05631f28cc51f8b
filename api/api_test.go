package api_test

import (
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
	"github.com/attend/attend/store"
)

func TestHealthz(t *testing.T) {
	a := servertest.New(t)
	body := servertest.Decode[map[string]string](t, a.Get("/healthz", ""), http.StatusOK)
	if body["status"] != "ok" {
		t.Errorf("healthz = %v", body)
	}
}

func TestReadyzFollowsTheDatabase(t *testing.T) {
	a := servertest.New(t)
	t.Run("with the database up it answers 200", func(t *testing.T) {
		body := servertest.Decode[map[string]string](t, a.Get("/readyz", ""), http.StatusOK)
		if body["database"] != "ok" {
			t.Errorf("readyz = %v", body)
		}
	})
	t.Run("after the database handle is closed it answers 503", func(t *testing.T) {
		if err := a.DB.Close(); err != nil {
			t.Fatal(err)
		}
		rec := a.Get("/readyz", "")
		body := servertest.Decode[map[string]string](t, rec, http.StatusServiceUnavailable)
		if body["status"] != "unavailable" {
			t.Errorf("readyz = %v", body)
		}
		if rec.Header().Get("Retry-After") == "" {
			t.Error("no Retry-After on 503")
		}
	})
}

func TestOpenAPISpecIsServed(t *testing.T) {
	a := servertest.New(t)
	rec := a.Get("/api/v1/openapi.yaml", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "yaml") {
		t.Errorf("Content-Type = %q, want YAML", ct)
	}
	var spec struct {
		OpenAPI string `yaml:"openapi"`
	}
	if err := yaml.Unmarshal(rec.Body.Bytes(), &spec); err != nil {
		t.Fatalf("the spec is not YAML: %v", err)
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", spec.OpenAPI)
	}
}

// The served reference names this installation as its server, so that a
// client made from it calls the right host.
func TestOpenAPISpecServesBaseURLAsItsServer(t *testing.T) {
	for _, base := range []string{"https://events.example.org", "https://example.org/attend"} {
		t.Run(base, func(t *testing.T) {
			u, err := url.Parse(base)
			if err != nil {
				t.Fatal(err)
			}
			a := servertest.New(t, func(d *server.Deps) { d.Config.BaseURL = u })
			var spec struct {
				OpenAPI string `yaml:"openapi"`
				Servers []struct {
					URL string `yaml:"url"`
				} `yaml:"servers"`
				Paths map[string]any `yaml:"paths"`
				Tags  []any          `yaml:"tags"`
			}
			if err := yaml.Unmarshal(a.Get("/api/v1/openapi.yaml", "").Body.Bytes(), &spec); err != nil {
				t.Fatalf("the served spec is not YAML: %v", err)
			}
			if len(spec.Servers) != 1 || spec.Servers[0].URL != base {
				t.Errorf("servers = %+v, want only %s", spec.Servers, base)
			}
			if spec.OpenAPI == "" || len(spec.Paths) < 15 || len(spec.Tags) == 0 {
				t.Errorf("the rest of the document was damaged: openapi %q, %d paths, %d tags", spec.OpenAPI, len(spec.Paths), len(spec.Tags))
			}
		})
	}
}

// The spec promises to document every route (openapi.go); this keeps the
// promise as routes are added.
func TestOpenAPISpecDocumentsEveryRoute(t *testing.T) {
	a := servertest.New(t)
	var spec struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(a.Get("/api/v1/openapi.yaml", "").Body.Bytes(), &spec); err != nil {
		t.Fatalf("the spec is not YAML: %v", err)
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	for _, r := range a.Srv.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Path == "/api/v1/openapi.yaml" {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		ops, ok := spec.Paths[path]
		if !ok {
			ops, ok = spec.Paths[strings.TrimPrefix(path, "/api/v1")]
		}
		if _, documented := ops[strings.ToLower(r.Method)]; !ok || !documented {
			t.Errorf("openapi.yaml does not document %s %s", r.Method, path)
		}
	}
}

func TestUnknownRoutesAndMethodsAreProblems(t *testing.T) {
	a := servertest.New(t)
	t.Run("an unknown path is a 404 problem", func(t *testing.T) {
		servertest.Problem(t, a.Get("/api/v1/nothing-here", ""), http.StatusNotFound)
	})
	t.Run("a wrong method is a 405 problem", func(t *testing.T) {
		servertest.Problem(t, a.Do(servertest.Request{Method: http.MethodDelete, Path: "/healthz"}), http.StatusMethodNotAllowed)
	})
}

func TestEveryResponseCarriesARequestID(t *testing.T) {
	a := servertest.New(t)
	first := a.Get("/healthz", "").Header().Get("X-Request-Id")
	second := a.Get("/healthz", "").Header().Get("X-Request-Id")
	if first == "" || first == second {
		t.Errorf("request ids %q and %q, want two different ids", first, second)
	}
}

func TestOrganizerRoutesNeedAValidToken(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	tests := []struct {
		name   string
		header string
	}{
		{"no Authorization header", ""},
		{"a token that was never issued", "Bearer " + strings.Repeat("A", 42) + "E"},
		{"a token of the wrong shape", "Bearer not-a-token"},
		{"another scheme", "Basic bGVhZDpzZWNyZXQ="},
		{"the scheme without a token", "Bearer"},
		{"the token of another header form", "Token " + a.Token},
	}
	routes := []struct{ method, path, body string }{
		{http.MethodPost, "/api/v1/events", `{}`},
		{http.MethodPatch, "/api/v1/events/egov", `{}`},
		{http.MethodGet, "/api/v1/events/egov/registrations", ""},
		{http.MethodGet, "/api/v1/me", ""},
	}
	for _, tt := range tests {
		for _, r := range routes {
			t.Run(tt.name+" gets 401 from "+r.method+" "+r.path, func(t *testing.T) {
				h := http.Header{}
				if tt.header != "" {
					h.Set("Authorization", tt.header)
				}
				rec := a.Do(servertest.Request{Method: r.method, Path: r.path, Body: r.body, Header: h})
				p := servertest.Problem(t, rec, http.StatusUnauthorized)
				if !strings.HasSuffix(p.Type, "/problems/unauthorized") {
					t.Errorf("type = %q", p.Type)
				}
				if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
					t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
				}
			})
		}
	}
	t.Run("a wrong token on a public route is 401, not the public view", func(t *testing.T) {
		rec := a.Get("/api/v1/events", strings.Repeat("A", 42)+"E")
		servertest.Problem(t, rec, http.StatusUnauthorized)
	})
	t.Run("the right token is accepted", func(t *testing.T) {
		me := servertest.Decode[map[string]any](t, a.Get("/api/v1/me", a.Token), http.StatusOK)
		if me["email"] != "lead@example.org" {
			t.Errorf("me = %v", me)
		}
	})
	t.Run("the scheme is case-insensitive", func(t *testing.T) {
		rec := a.Do(servertest.Request{Method: http.MethodGet, Path: "/api/v1/me", Header: http.Header{"Authorization": {"bearer " + a.Token}}})
		if rec.Code != http.StatusOK {
			t.Errorf("status %d with a lower-case scheme", rec.Code)
		}
	})
}

func TestInternalErrorsShowNoInternals(t *testing.T) {
	// A store without a sealer cannot queue the confirmation email, which
	// is an internal error the client must not learn the details of.
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	a.Store.Sealer = nil

	rec := a.Register("egov", servertest.Participant("dilnoza@example.uz", nil))
	p := servertest.Problem(t, rec, http.StatusInternalServerError)
	if !strings.HasSuffix(p.Type, "/problems/internal-error") {
		t.Errorf("type = %q", p.Type)
	}
	body := strings.ToLower(rec.Body.String())
	for _, leak := range []string{"sealer", "store:", "sql", "pq:", "goroutine", ".go:"} {
		if strings.Contains(body, leak) {
			t.Errorf("the 500 body shows %q: %s", leak, rec.Body)
		}
	}
	if !strings.Contains(p.Detail, "request id") {
		t.Errorf("detail = %q, want it to ask for the request id", p.Detail)
	}
	logs := a.Logs.String()
	if !strings.Contains(logs, p.RequestID) || !strings.Contains(logs, "sealer") {
		t.Errorf("the log does not hold the request id %s and the cause:\n%s", p.RequestID, logs)
	}
}

func TestLogsNeverHoldQueryStrings(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	a.Get("/api/v1/events/egov/registrations?q=secret-search-text", a.Token)
	if strings.Contains(a.Logs.String(), "secret-search-text") {
		t.Errorf("the request log holds the query string:\n%s", a.Logs)
	}
}

func TestAnUnreachableDatabaseAnswers503(t *testing.T) {
	db, err := sqlx.Open("postgres", "postgres://attend@127.0.0.1:1/attend?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := &servertest.Server{T: t, Logs: &servertest.SyncBuffer{}}
	a.Srv = servertest.Handler(t, server.Deps{
		Config: servertest.Config(t), Store: store.New(db), Rules: domain.NewRules(),
		Logger: slog.New(slog.NewJSONHandler(a.Logs, nil)),
	})
	for _, path := range []string{"/api/v1/events", "/api/v1/events/egov"} {
		t.Run("GET "+path+" is a 503 problem with Retry-After", func(t *testing.T) {
			rec := a.Get(path, "")
			p := servertest.Problem(t, rec, http.StatusServiceUnavailable)
			if !strings.HasSuffix(p.Type, "/problems/unavailable") || rec.Header().Get("Retry-After") == "" {
				t.Errorf("type %q, Retry-After %q", p.Type, rec.Header().Get("Retry-After"))
			}
			if strings.Contains(rec.Body.String(), "127.0.0.1") || strings.Contains(rec.Body.String(), "dial") {
				t.Errorf("the body shows connection details: %s", rec.Body)
			}
		})
	}
	t.Run("readyz is 503", func(t *testing.T) {
		if rec := a.Get("/readyz", ""); rec.Code != http.StatusServiceUnavailable {
			t.Errorf("readyz = %d", rec.Code)
		}
	})
}
