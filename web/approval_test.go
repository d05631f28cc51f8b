package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

// TestApplyingToAnEventThatRequiresApproval follows a participant through
// the public pages of an event whose organizers approve each registration,
// without JavaScript: the form says so, the answer is "under review", the
// link page offers confirming the address and withdrawing, and a rejection
// cannot be undone by registering again.
func TestApplyingToAnEventThatRequiresApproval(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "review", func(b map[string]any) {
		b["capacity"] = 1
		b["requires_approval"] = true
	})
	_, d := a.Page("/events/review")
	if text := d.Text(); !strings.Contains(text, "The organizers review each registration") || strings.Contains(text, "Join the waiting list") {
		t.Errorf("the event page does not say that registrations are reviewed: %s", text)
	}

	form := servertest.ValidForm("gayrat@example.uz")
	form.Set("first_name", "Gʻayrat")
	rec, _ := a.Submit("/events/review/register", form)
	loc, err := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || err != nil || loc.Query().Get("status") != "awaiting_approval" {
		t.Fatalf("status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	_, d = a.Page(loc.String())
	if text := d.Text(); !strings.Contains(text, "Your registration is under review") || strings.Contains(text, "are cancelled") {
		t.Errorf("thank-you page: %s", text)
	}
	regs := a.Registrations()
	if got := regs[len(regs)-1]; got.Status != "awaiting_approval" || got.FirstName != "Gʻayrat" {
		t.Errorf("stored %+v, want Gʻayrat awaiting approval", got)
	}
	var held int
	if err := a.DB.Get(&held, `SELECT event_seats_held(id) FROM events WHERE slug = 'review'`); err != nil || held != 0 {
		t.Errorf("seats_held %d (%v), want 0: an application holds no seat", held, err)
	}

	token := a.LinkToken("review", "leyla@example.az", "en")
	_, d = a.Page("/r/" + token)
	text := d.Text()
	for _, want := range []string{"Under review by the organizers", "Confirm my email address", "Withdraw my registration"} {
		if !strings.Contains(text, want) {
			t.Errorf("the link page does not say %q: %s", want, text)
		}
	}
	if rec, _ := a.Submit("/r/"+token+"/confirm", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Errorf("confirming the address: status %d", rec.Code)
	}
	var verified bool
	if err := a.DB.Get(&verified, `SELECT email_verified_at IS NOT NULL FROM registrations WHERE email = 'leyla@example.az' AND status = 'awaiting_approval'`); err != nil || !verified {
		t.Errorf("verified %v (%v), want the application's address verified and still awaiting approval", verified, err)
	}
	_, d = a.Page("/r/" + token)
	if text := d.Text(); !strings.Contains(text, "Your email address is confirmed.") || strings.Contains(text, "Confirm my email address") ||
		strings.Contains(text, "please confirm your email address") || !strings.Contains(text, "Withdraw my registration") {
		t.Errorf("after confirming the address, the link page says: %s", text)
	}

	t.Run("a rejected participant who registers again stays rejected", func(t *testing.T) {
		if _, err := a.DB.Exec(`UPDATE registrations SET status = 'rejected' WHERE email = 'gayrat@example.uz'`); err != nil {
			t.Fatal(err)
		}
		rec, _ := a.Submit("/events/review/register", servertest.ValidForm("gayrat@example.uz"))
		if loc, _ := url.Parse(rec.Header().Get("Location")); rec.Code != http.StatusSeeOther || loc.Query().Get("status") != "awaiting_approval" {
			t.Errorf("status %d, Location %q: want the answer any applicant gets", rec.Code, rec.Header().Get("Location"))
		}
		var status string
		if err := a.DB.Get(&status, `SELECT status FROM registrations WHERE email = 'gayrat@example.uz'`); err != nil || status != "rejected" {
			t.Errorf("status %q (%v), want rejected", status, err)
		}
	})
}
