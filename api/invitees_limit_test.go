package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
)

// inviteeRows is a CSV of n people, about 90 bytes a row.
func inviteeRows(n int) string {
	var b strings.Builder
	b.WriteString("email,first_name,last_name,delegation,organization\n")
	for i := range n {
		fmt.Fprintf(&b, "person%04d@example.kz,Aigerim,Bekova,KZ,Ministry of Digital Development and Innovation\n", i)
	}
	return b.String()
}

// inviteeJSON is the same n people as the API's JSON body.
func inviteeJSON(n int) string {
	rows := make([]string, n)
	for i := range rows {
		rows[i] = fmt.Sprintf(`{"email":"person%04d@example.kz","first_name":"Aigerim","last_name":"Bekova","delegation":"KZ"}`, i)
	}
	return `{"invitees":[` + strings.Join(rows, ",") + `]}`
}

// An import is bounded by INVITEE_IMPORT_MAX_BYTES, not by the 64 KB of
// MAX_BODY_BYTES: a list of a thousand people is taken, a body over the
// import's limit is a 413 that names the limit, and the limit applies to
// the import only.
func TestInvitationImportHasABodyLimitOfItsOwn(t *testing.T) {
	const limit = 200 << 10
	a := servertest.New(t, func(d *server.Deps) { d.Config.InviteeImportMaxBytes = limit })
	a.Event(a.Token, "workshop", nil)
	for _, tc := range []struct {
		name, contentType, body string
		status                  int
	}{
		{"a CSV of a thousand people (90 KB)", "text/csv", inviteeRows(1000), http.StatusOK},
		{"the same people as JSON (100 KB)", "application/json", inviteeJSON(1000), http.StatusOK},
		{"a CSV over the import's limit (270 KB)", "text/csv", inviteeRows(3000), http.StatusRequestEntityTooLarge},
		{"JSON over the import's limit (300 KB)", "application/json", inviteeJSON(3000), http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.status == http.StatusOK && len(tc.body) <= 64<<10 {
				t.Fatalf("the body is %d bytes: it should outgrow MAX_BODY_BYTES", len(tc.body))
			}
			rec := a.Do(servertest.Request{Method: http.MethodPost, Path: "/api/v1/events/workshop/invitations?dry_run=true",
				Token: a.Token, ContentType: tc.contentType, Body: tc.body})
			if tc.status == http.StatusOK {
				if got := servertest.Decode[importAnswer](t, rec, http.StatusOK); got.Invited != 1000 {
					t.Fatalf("the preview would invite %d, want 1000", got.Invited)
				}
				return
			}
			p := servertest.Problem(t, rec, tc.status)
			if !strings.HasSuffix(p.Type, "/payload-too-large") || !strings.Contains(p.Detail, fmt.Sprint(limit)) {
				t.Fatalf("problem %+v; want payload-too-large naming %d bytes", p, limit)
			}
		})
	}
	t.Run("the limit of other routes stays MAX_BODY_BYTES", func(t *testing.T) {
		body := `{"title":"` + strings.Repeat("x", 100<<10) + `"}`
		rec := a.Do(servertest.Request{Method: http.MethodPatch, Path: "/api/v1/events/workshop", Token: a.Token, Body: body,
			Header: http.Header{"Accept-Language": {"ru"}}})
		p := servertest.Problem(t, rec, http.StatusRequestEntityTooLarge)
		if !strings.Contains(p.Detail, "65536") {
			t.Fatalf("detail %q; want MAX_BODY_BYTES' 65536 bytes", p.Detail)
		}
	})
}
