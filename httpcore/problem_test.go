package httpcore

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/config"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

// domainCodes are the error codes package domain declares, read from its
// source, so that a code added there is checked here without anyone
// remembering to list it.
func domainCodes(t *testing.T) []domain.Code {
	t.Helper()
	files, err := filepath.Glob("../domain/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no domain sources: %v", err)
	}
	var codes []domain.Code
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if typ, ok := vs.Type.(*ast.Ident); !ok || typ.Name != "Code" {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok {
						t.Fatalf("%s: a Code that is not a literal", fset.Position(v.Pos()))
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					codes = append(codes, domain.Code(s))
				}
			}
		}
	}
	return codes
}

// testCore is a core without a database, enough to answer errors.
func testCore(t *testing.T) *Core {
	t.Helper()
	env := map[string]string{"DATABASE_URL": "postgres://test@127.0.0.1/test"}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.Need{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Deps{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every domain error gets the same status whether a program meets it
// (problem details) or a person does (an error page), and each page has
// its words in every language.
func TestEveryDomainCodeHasOneStatusForProgramsAndPeople(t *testing.T) {
	codes := domainCodes(t)
	if len(codes) < 8 {
		t.Fatalf("found only the codes %v in package domain", codes)
	}
	s := testCore(t)
	gin.SetMode(gin.ReleaseMode)
	for _, code := range codes {
		t.Run(string(code), func(t *testing.T) {
			want, ok := answers[code]
			if !ok {
				t.Fatalf("%s has no answer: it would be answered as an internal error", code)
			}
			err := &domain.Error{Code: code, Message: "what went wrong"}

			problem := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(problem)
			c.Request = httptest.NewRequest(http.MethodGet, "/api/v1/events", nil)
			s.Error(c, err)

			page := httptest.NewRecorder()
			c, _ = gin.CreateTestContext(page)
			c.Request = httptest.NewRequest(http.MethodGet, "/events/egov", nil)
			s.PageError(c, "ru", err, "not_found")

			if problem.Code != want.status || page.Code != want.status {
				t.Errorf("problem %d, page %d; want both %d", problem.Code, page.Code, want.status)
			}
			if ct := problem.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("problem Content-Type %q", ct)
			}
			if ct := page.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("page Content-Type %q", ct)
			}
			for _, lang := range i18n.Supported {
				l := s.I18n.Localizer(lang)
				for _, part := range []string{"title", "body"} {
					if id := "errpage." + want.page + "." + part; !l.Has(id) {
						t.Errorf("the %s page lacks %s", lang, id)
					}
				}
			}
		})
	}
}
