package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

type invitationList struct {
	Invitations []struct {
		ID         int64  `json:"id"`
		Email      string `json:"email"`
		Delegation string `json:"delegation"`
		State      string `json:"state"`
	} `json:"invitations"`
	NextCursor *string        `json:"next_cursor"`
	Counts     map[string]int `json:"counts"`
	Total      int            `json:"total"`
}

// Organizers withdraw an invitation nobody used and email one again: the
// withdrawn link says so and registers nobody (410), its unsent email is
// not sent; a second email carries a new link, no sooner than
// INVITEE_RESEND_INTERVAL after the last; a used invitation is neither
// withdrawn nor emailed again.
func TestInvitationsAreWithdrawnAndEmailedAgain(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "invited", func(b map[string]any) { b["invitation_only"] = true })
	importCSV(a, "invited", "", threeInvitees)
	count := func(q string) int { return servertest.CountRows(t, a, q) }
	list := servertest.Decode[invitationList](t, a.Get("/api/v1/events/invited/invitations", a.Token), http.StatusOK)
	ids := map[string]int64{}
	for _, in := range list.Invitations {
		ids[in.Email] = in.ID
	}
	change := func(email, what string) *httptest.ResponseRecorder {
		return a.Post(fmt.Sprintf("/api/v1/events/invited/invitations/%d/%s", ids[email], what), a.Token, "")
	}
	aigerim := inviteToken(t, a, "participant_invitation", "aigerim@example.kz")

	if rec := change("aigerim@example.kz", "withdraw"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"state":"withdrawn"`) {
		t.Fatalf("withdraw: %d %s", rec.Code, rec.Body)
	}
	if n := count(`SELECT count(*) FROM emails WHERE lower(recipient) = 'aigerim@example.kz' AND status = 'queued'`); n != 0 {
		t.Errorf("the withdrawn invitation's email is still queued")
	}
	if rec := change("aigerim@example.kz", "withdraw"); rec.Code != http.StatusOK {
		t.Errorf("withdrawing twice: %d %s", rec.Code, rec.Body)
	}
	body := servertest.Participant("aigerim@example.kz", func(b map[string]any) { b["invitation"] = aigerim; b["country"] = "KZ" })
	servertest.Problem(t, a.Register("invited", body), http.StatusGone)
	if rec, page := a.Page("/i/" + aigerim + "?lang=ru"); rec.Code != http.StatusGone || !strings.Contains(page.Text(), "отозвали") {
		t.Errorf("the withdrawn link: %d %s", rec.Code, page.Text())
	}
	servertest.Problem(t, change("aigerim@example.kz", "resend"), http.StatusConflict)
	var dropped int64
	if err := a.DB.Get(&dropped, `SELECT id FROM emails WHERE recipient = 'aigerim@example.kz' AND status = 'failed'`); err != nil {
		t.Fatal(err)
	}
	if p := servertest.Problem(t, a.Post(fmt.Sprintf("/api/v1/events/invited/emails/%d/retry", dropped), a.Token, ""),
		http.StatusConflict); !strings.Contains(p.Detail, "withdrawn") {
		t.Errorf("retrying the withdrawn invitation's email: %q", p.Detail)
	}

	t.Run("an invitation is emailed again only after the interval, with a new link", func(t *testing.T) {
		old := inviteToken(t, a, "participant_invitation", "rustam@example.uz")
		p := servertest.Problem(t, change("rustam@example.uz", "resend"), http.StatusConflict)
		if !strings.Contains(p.Detail, "10m0s") {
			t.Errorf("too soon: %q", p.Detail)
		}
		a.DB.MustExec(`UPDATE invitees SET created_at = created_at - interval '11 minutes'`)
		if rec := change("rustam@example.uz", "resend"); rec.Code != http.StatusOK {
			t.Fatalf("resend: %d %s", rec.Code, rec.Body)
		}
		if n := count(`SELECT count(*) FROM emails WHERE recipient = 'rustam@example.uz' AND kind = 'participant_invitation'`); n != 2 {
			t.Errorf("%d invitation emails to Rustam, want 2", n)
		}
		servertest.Problem(t, change("rustam@example.uz", "resend"), http.StatusConflict)
		fresh := inviteToken(t, a, "participant_invitation", "rustam@example.uz")
		if rec, _ := a.Page("/i/" + old); rec.Code != http.StatusNotFound {
			t.Errorf("the earlier link: %d, want 404", rec.Code)
		}
		if rec := a.Register("invited", servertest.Participant("rustam@example.uz", func(b map[string]any) { b["invitation"] = fresh })); rec.Code != http.StatusAccepted {
			t.Fatalf("registering through the new link: %d %s", rec.Code, rec.Body)
		}
		servertest.Problem(t, change("rustam@example.uz", "withdraw"), http.StatusConflict)
		servertest.Problem(t, change("rustam@example.uz", "resend"), http.StatusConflict)
	})
	if n := count(`SELECT count(*) FROM audit_log WHERE action IN ('invitation.withdraw', 'invitation.resend')`); n != 2 {
		t.Errorf("%d audit lines, want one withdrawal and one resend", n)
	}
	servertest.Problem(t, a.Post("/api/v1/events/invited/invitations/999999/withdraw", a.Token, ""), http.StatusNotFound)
	servertest.Problem(t, a.Post("/api/v1/events/invited/invitations/x/resend", a.Token, ""), http.StatusUnprocessableEntity)
}

// The list filters by state and delegation, pages with a cursor, and
// counts each state.
func TestInvitationListFiltersPagesAndCounts(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "invited", nil)
	var csv strings.Builder
	csv.WriteString("email,delegation\n")
	for i := range 5 {
		fmt.Fprintf(&csv, "kz%d@example.kz,KZ\nuz%d@example.uz,UZ\n", i, i)
	}
	importCSV(a, "invited", "", csv.String())
	a.DB.MustExec(`UPDATE invitees SET declined_at = now() WHERE email IN ('kz0@example.kz', 'uz0@example.uz')`)

	get := func(query string) invitationList {
		t.Helper()
		return servertest.Decode[invitationList](t, a.Get("/api/v1/events/invited/invitations"+query, a.Token), http.StatusOK)
	}
	all := get("")
	if all.Total != 10 || all.Counts["queued"] != 8 || all.Counts["declined"] != 2 || all.Counts["withdrawn"] != 0 || all.NextCursor != nil {
		t.Errorf("all: total %d, counts %v, next %v", all.Total, all.Counts, all.NextCursor)
	}
	kz := get("?delegation=kz&state=queued")
	if len(kz.Invitations) != 4 || kz.Total != 5 || kz.Counts["declined"] != 1 {
		t.Errorf("Kazakhstan's queued: %d of %d, counts %v", len(kz.Invitations), kz.Total, kz.Counts)
	}
	var seen []string
	for cursor := ""; ; {
		page := get("?state=queued&limit=3" + cursor)
		for _, in := range page.Invitations {
			seen = append(seen, in.Email)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = "&cursor=" + *page.NextCursor
	}
	if len(seen) != 8 || seen[0] != "kz1@example.kz" || seen[7] != "uz4@example.uz" {
		t.Errorf("pages of 3 gave %v", seen)
	}
	for _, bad := range []string{"?state=lost", "?delegation=k-z", "?cursor=abc", "?limit=0", "?before=3"} {
		servertest.Problem(t, a.Get("/api/v1/events/invited/invitations"+bad, a.Token), http.StatusUnprocessableEntity)
	}
}
