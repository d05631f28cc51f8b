package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
)

// invitationToken is the plain token of the invitation emailed to address.
func invitationToken(t *testing.T, a *servertest.Server, address string) string {
	t.Helper()
	var sealed string
	if err := a.DB.Get(&sealed, `SELECT payload->>'sealed_token' FROM emails
		WHERE kind = 'participant_invitation' AND recipient = $1`, address); err != nil {
		t.Fatalf("no invitation to %s: %v", address, err)
	}
	token, err := a.Store.Sealer.Open(sealed)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestInvitationOnlyEventPages(t *testing.T) {
	a := servertest.New(t, func(d *server.Deps) { d.Config.MailReplyTo = "Workshop team <team@example.org>" })
	a.Event(a.Token, "invited", func(b map[string]any) { b["invitation_only"] = true })
	rec := a.Post("/api/v1/events/invited/invitations", a.Token, map[string]any{"invitees": []map[string]any{
		{"email": "kadri@example.ee", "first_name": "Kadri", "last_name": "Tamm", "organization": "RIA", "language": "ru"},
		{"email": "other@example.ee", "first_name": "Other"},
	}})
	if rec.Code != http.StatusOK {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}

	t.Run("the event page has no form and says whom to ask", func(t *testing.T) {
		rec, doc := a.Page("/events/invited?lang=en")
		if rec.Code != http.StatusOK || doc.Has("first_name") || !strings.Contains(doc.Text(), "team@example.org") {
			t.Errorf("status %d, form shown %v, text %q", rec.Code, doc.Has("first_name"), doc.Text())
		}
	})
	t.Run("the form sent without an invitation is refused, nothing stored", func(t *testing.T) {
		rec, doc := a.Submit("/events/invited/register?lang=en", servertest.ValidForm("walkup@example.ee"))
		if rec.Code != http.StatusForbidden || !strings.Contains(doc.Text(), "by invitation only") {
			t.Errorf("status %d, text %q", rec.Code, doc.Text())
		}
		if n := len(a.Registrations()); n != 0 {
			t.Errorf("%d registrations stored", n)
		}
	})

	token := invitationToken(t, a, "kadri@example.ee")
	t.Run("the link opens the form filled in, in the invitee's language", func(t *testing.T) {
		rec, doc := a.Page("/i/" + token)
		if rec.Code != http.StatusOK || servertest.Attr(doc.ByID("email"), "value") != "kadri@example.ee" ||
			servertest.Attr(doc.ByID("first_name"), "value") != "Kadri" || !doc.Has("decline") {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if !strings.Contains(rec.Body.String(), `name="invitation" value="`+token+`"`) {
			t.Error("the form does not carry the invitation")
		}
		if !strings.Contains(doc.Text(), "Не смогу") && !strings.Contains(doc.Text(), "не смогу") {
			t.Errorf("page not in Russian: %q", doc.Text())
		}
	})
	t.Run("registering through it works once", func(t *testing.T) {
		form := servertest.ValidForm("kadri@example.ee")
		form.Set("invitation", token)
		if rec, _ := a.Submit("/events/invited/register?lang=en", form); rec.Code != http.StatusSeeOther {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		rec, doc := a.Page("/i/" + token + "?lang=en")
		if rec.Code != http.StatusOK || !strings.Contains(doc.Text(), "already registered") {
			t.Errorf("second visit: %d %q", rec.Code, doc.Text())
		}
		form.Set("email", "friend@example.ee")
		if rec, _ := a.Submit("/events/invited/register?lang=en", form); rec.Code != http.StatusConflict {
			t.Errorf("someone else through the same link: %d", rec.Code)
		}
		if n := len(a.Registrations()); n != 1 {
			t.Errorf("%d registrations, want 1", n)
		}
	})
	t.Run("an invitation can be declined, and then registers no one", func(t *testing.T) {
		other := invitationToken(t, a, "other@example.ee")
		rec, doc := a.Submit("/i/"+other+"/decline?lang=en", url.Values{})
		if rec.Code != http.StatusOK || !strings.Contains(doc.Text(), "declined") {
			t.Fatalf("decline: %d %q", rec.Code, doc.Text())
		}
		form := servertest.ValidForm("other@example.ee")
		form.Set("invitation", other)
		if rec, _ := a.Submit("/events/invited/register?lang=en", form); rec.Code != http.StatusGone {
			t.Errorf("registering after declining: %d", rec.Code)
		}
		var state string
		if err := a.DB.Get(&state, `SELECT CASE WHEN declined_at IS NULL THEN 'open' ELSE 'declined' END
			FROM invitees WHERE email = 'other@example.ee'`); err != nil || state != "declined" {
			t.Errorf("state %q (%v)", state, err)
		}
	})
}

// Without a reply address, the page still says whom to ask: the organizers
// who sent the invitations (an organizer's own address is not published).
func TestInvitationOnlyPageWithoutAReplyAddressNamesTheOrganizers(t *testing.T) {
	a := servertest.New(t, func(d *server.Deps) { d.Config.MailReplyTo = "" })
	a.Event(a.Token, "invited", func(b map[string]any) { b["invitation_only"] = true })
	for lang, want := range map[string]string{"en": "organizers who sent the invitations", "ru": "организаторам, которые рассылали приглашения"} {
		rec, doc := a.Page("/events/invited?lang=" + lang)
		if rec.Code != http.StatusOK || !strings.Contains(doc.Text(), want) {
			t.Errorf("%s: status %d, text %q", lang, rec.Code, doc.Text())
		}
	}
}
