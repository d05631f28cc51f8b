package server_test

import (
	"net/http"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

// TestEveryStateChangingRouteRefusesCrossSiteRequests walks the route table:
// a route added later that changes state is covered too, or this fails.
func TestEveryStateChangingRouteRefusesCrossSiteRequests(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	before := servertest.CountRows(t, a, `SELECT (SELECT count(*) FROM registrations) + (SELECT count(*) FROM events) + (SELECT count(*) FROM emails)`)
	checked := 0
	for _, r := range a.Srv.Routes() {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			continue
		}
		path := servertest.RouteParam.ReplaceAllStringFunc(r.Path, func(p string) string {
			switch p[1:] {
			case "slug":
				return "egov"
			case "day":
				return "2026-01-01"
			}
			return "00000000-0000-4000-8000-000000000000"
		})
		// RFC 8058 one-click unsubscribes come from mail providers' own
		// origins: the token is their whole authority (httpcore.Protect).
		exempt := r.Method+" "+r.Path == "POST /unsubscribe/:token"
		for _, header := range []http.Header{
			{"Sec-Fetch-Site": {"cross-site"}},
			{"Origin": {"https://evil.example"}},
		} {
			rec := a.Do(servertest.Request{Method: r.Method, Path: path, Body: `{}`, Token: a.Token, Header: header})
			if exempt {
				if rec.Code == http.StatusForbidden {
					t.Errorf("%s %s with %v answered 403; a one-click unsubscribe must pass", r.Method, r.Path, header)
				}
				continue
			}
			if rec.Code != http.StatusForbidden {
				t.Errorf("%s %s with %v answered %d, want 403", r.Method, r.Path, header, rec.Code)
			}
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d state-changing routes found; is the route table complete?", checked)
	}
	if after := servertest.CountRows(t, a, `SELECT (SELECT count(*) FROM registrations) + (SELECT count(*) FROM events) + (SELECT count(*) FROM emails)`); after != before {
		t.Errorf("refused requests changed the database: %d rows before, %d after", before, after)
	}
	t.Logf("%d state-changing routes refuse cross-site requests", checked)
}
