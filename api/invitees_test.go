package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

// inviteToken is the plain token of the personal link emailed to address.
func inviteToken(t *testing.T, a *servertest.Server, kind, address string) string {
	t.Helper()
	var sealed string
	if err := a.DB.Get(&sealed, `
		SELECT payload->>'sealed_token' FROM emails WHERE kind = $1 AND lower(recipient) = lower($2)
		ORDER BY id DESC LIMIT 1`, kind, address); err != nil {
		t.Fatalf("no %s email to %s: %v", kind, address, err)
	}
	token, err := a.Store.Sealer.Open(sealed)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

type importAnswer struct {
	DryRun  bool `json:"dry_run"`
	Invited int  `json:"invited"`
	Results []struct {
		Row      int    `json:"row"`
		Outcome  string `json:"outcome"`
		Problems []struct {
			Field string `json:"field"`
			Code  string `json:"code"`
		} `json:"problems"`
	} `json:"results"`
}

// The columns come in another order, one in Russian, with a column the
// import does not know.
const threeInvitees = "Organization,Эл. почта,First name,Last name,Delegation,Shoe size\n" +
	"Ministry of Digital Development,aigerim@example.kz,Aigerim,Bekova,KZ,38\n" +
	"Agency for Civil Service,not-an-address,Bakyt,Osmonov,KG,41\n" +
	"Ministry of Justice,rustam@example.uz,Rustam,Karimov,UZ,43\n"

func importCSV(a *servertest.Server, slug, query, body string) importAnswer {
	a.T.Helper()
	rec := a.Do(servertest.Request{Method: http.MethodPost, Path: "/api/v1/events/" + slug + "/invitations" + query,
		Token: a.Token, ContentType: "text/csv", Body: body})
	return servertest.Decode[importAnswer](a.T, rec, http.StatusOK)
}

func TestInvitationImportRegistrationAndRefusal(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "invited", func(b map[string]any) { b["invitation_only"] = true })
	count := func(q string) int { return servertest.CountRows(t, a, q) }

	preview := importCSV(a, "invited", "?dry_run=true", threeInvitees)
	if !preview.DryRun || preview.Invited != 2 || count(`SELECT count(*) FROM invitees`) != 0 {
		t.Fatalf("preview invited %d (dry run %v), stored %d; want 2 to invite and nothing stored",
			preview.Invited, preview.DryRun, count(`SELECT count(*) FROM invitees`))
	}
	if r := preview.Results[1]; r.Outcome != "invalid" || len(r.Problems) != 1 || r.Problems[0].Field != "email" {
		t.Fatalf("row 2 = %+v, want invalid for its email", r)
	}

	first := importCSV(a, "invited", "", threeInvitees)
	if first.Invited != 2 || count(`SELECT count(*) FROM invitees`) != 2 ||
		count(`SELECT count(*) FROM emails WHERE kind = 'participant_invitation'`) != 2 {
		t.Fatalf("import invited %d; want 2 invitees and 2 emails", first.Invited)
	}
	again := importCSV(a, "invited", "", threeInvitees)
	if again.Invited != 0 || again.Results[0].Outcome != "exists" || again.Results[2].Outcome != "exists" ||
		count(`SELECT count(*) FROM invitees`) != 2 || count(`SELECT count(*) FROM emails`) != 2 {
		t.Fatalf("re-import = %+v; want nothing invited or emailed twice", again)
	}

	t.Run("a registration without an invitation is refused and nothing is stored", func(t *testing.T) {
		p := servertest.Problem(t, a.Register("invited", servertest.Participant("walkup@example.org", nil)), http.StatusForbidden)
		if !strings.HasSuffix(p.Type, "/problems/invitation-required") {
			t.Errorf("problem type %q", p.Type)
		}
		bad := servertest.Participant("walkup@example.org", func(b map[string]any) { b["invitation"] = strings.Repeat("A", 43) })
		servertest.Problem(t, a.Register("invited", bad), http.StatusForbidden)
		if n := count(`SELECT count(*) FROM registrations`); n != 0 {
			t.Errorf("%d registrations stored", n)
		}
	})

	token := inviteToken(t, a, "participant_invitation", "aigerim@example.kz")
	withLink := func(email string) map[string]any {
		return servertest.Participant(email, func(b map[string]any) { b["invitation"] = token; b["country"] = "KZ" })
	}
	t.Run("the invitation link registers once", func(t *testing.T) {
		if rec := a.Register("invited", withLink("aigerim@example.kz")); rec.Code != http.StatusAccepted {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		// The same person again: answered as a repeat, as without invitations.
		if rec := a.Register("invited", withLink("aigerim@example.kz")); rec.Code != http.StatusAccepted {
			t.Fatalf("repeat: status %d: %s", rec.Code, rec.Body)
		}
		// Someone else through the same link: already used.
		servertest.Problem(t, a.Register("invited", withLink("friend@example.kz")), http.StatusConflict)
		if n := count(`SELECT count(*) FROM registrations`); n != 1 {
			t.Errorf("%d registrations, want 1", n)
		}
		list := servertest.Decode[struct {
			Invitations []struct {
				Email string `json:"email"`
				State string `json:"state"`
			} `json:"invitations"`
		}](t, a.Get("/api/v1/events/invited/invitations", a.Token), http.StatusOK)
		states := map[string]string{}
		for _, i := range list.Invitations {
			states[i.Email] = i.State
		}
		if states["aigerim@example.kz"] != "registered" || states["rustam@example.uz"] != "queued" {
			t.Errorf("states = %v", states)
		}
	})
}

func TestNominationQuotaRefusesTheThird(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "nominated", func(b map[string]any) { b["invitation_only"] = true })
	rec := a.Post("/api/v1/events/nominated/focal-points", a.Token,
		map[string]any{"delegation": "KZ", "email": "focal@example.kz", "quota": 2})
	if rec.Code != http.StatusOK {
		t.Fatalf("focal point: %d %s", rec.Code, rec.Body)
	}
	token := inviteToken(t, a, "nomination_request", "focal@example.kz")
	// Three nominations at once: two places, so exactly one is refused.
	var wg sync.WaitGroup
	codes := make([]int, 3)
	for i := range codes {
		wg.Go(func() {
			form := map[string][]string{"first_name": {"Nominee"}, "last_name": {string(rune('A' + i))},
				"email": {string(rune('a'+i)) + "@example.kz"}, "organization": {"Ministry"}}
			rec := a.Do(servertest.Request{Method: http.MethodPost, Path: "/n/" + token,
				Body: url.Values(form).Encode(), ContentType: "application/x-www-form-urlencoded",
				Header: http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {"http://example.com"}}})
			codes[i] = rec.Code
		})
	}
	wg.Wait()
	ok, refused := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusSeeOther:
			ok++
		case http.StatusConflict:
			refused++
		}
	}
	if ok != 2 || refused != 1 {
		t.Fatalf("answers %v; want two nominations and one refusal", codes)
	}
	if n := servertest.CountRows(t, a, `SELECT count(*) FROM invitees WHERE delegation = 'KZ'`); n != 2 {
		t.Errorf("%d nominees stored, want 2", n)
	}
	counts := servertest.Decode[struct {
		Delegations []struct {
			Delegation string `json:"delegation"`
			Quota      int    `json:"quota"`
			Nominated  int    `json:"nominated"`
			Registered int    `json:"registered"`
		} `json:"delegations"`
	}](t, a.Get("/api/v1/events/nominated/focal-points", a.Token), http.StatusOK)
	if len(counts.Delegations) != 1 || counts.Delegations[0].Quota != 2 || counts.Delegations[0].Nominated != 2 ||
		counts.Delegations[0].Registered != 0 {
		t.Errorf("delegations = %+v", counts.Delegations)
	}
}

func TestInvitationEmailsGoOutInTheInviteesLanguage(t *testing.T) {
	m := newMailAPI(t)
	m.Event(m.Token, "mailed", func(b map[string]any) { b["invitation_only"] = true })
	rec := m.Post("/api/v1/events/mailed/invitations", m.Token, map[string]any{"invitees": []map[string]any{
		{"email": "aigerim@example.kz", "first_name": "Айгерим", "last_name": "Бекова", "language": "ru"}}})
	if rec.Code != http.StatusOK {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	m.Post("/api/v1/events/mailed/focal-points", m.Token, map[string]any{"delegation": "KZ", "email": "focal@example.kz", "quota": 3, "language": "uz"})
	for _, msg := range m.deliver(2) {
		mm := readMail(t, msg)
		switch m.outboxKind(mm) {
		case "participant_invitation":
			if !strings.Contains(mm.subject, "Приглашение") || !strings.Contains(mm.text, m.baseURL+"/i/") || !strings.Contains(mm.text, "Айгерим Бекова") {
				t.Errorf("invitation: subject %q, text %q", mm.subject, mm.text)
			}
		case "nomination_request":
			if !strings.Contains(mm.text, m.baseURL+"/n/") || !strings.Contains(mm.text, "3") || !strings.Contains(mm.text, "Qozogʻiston") {
				t.Errorf("nomination request: text %q", mm.text)
			}
		default:
			t.Errorf("unexpected email %q", mm.subject)
		}
	}
	list := servertest.Decode[struct {
		Invitations []struct {
			State string `json:"state"`
		} `json:"invitations"`
	}](t, m.Get("/api/v1/events/mailed/invitations", m.Token), http.StatusOK)
	if len(list.Invitations) != 1 || list.Invitations[0].State != "sent" {
		t.Errorf("after delivery: %+v, want sent", list.Invitations)
	}
}
