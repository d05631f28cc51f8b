package notify

import (
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

// received is one delivered message, decoded: subject, text part and
// calendar file (if any).
type received struct {
	subject, text, html, ics string
	header                   mail.Header
}

func (r *workerRig) received() map[string]received {
	r.t.Helper()
	out := map[string]received{}
	for _, m := range r.smtp.Messages() {
		msg, err := m.Parse()
		if err != nil {
			r.t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			r.t.Fatal(err)
		}
		parts := leaves(r.t, msg.Header, msg.Body)
		got := received{subject: subject, header: msg.Header}
		if ps := byType(parts, "text/plain"); len(ps) > 0 {
			got.text = string(ps[0].body)
		}
		if ps := byType(parts, "text/html"); len(ps) > 0 {
			got.html = string(ps[0].body)
		}
		if ps := byType(parts, "text/calendar"); len(ps) > 0 {
			got.ics = strings.ReplaceAll(string(ps[0].body), "\r\n ", "") // unfolded
		}
		out[m.To[0]] = got
	}
	return out
}

// TestEmailsNameTheEventInTheRecipientsLanguage: a Russian participant
// reads the Russian title and city in the email and in its calendar file;
// an English one the main text; a language without a translation falls
// back field by field.
func TestEmailsNameTheEventInTheRecipientsLanguage(t *testing.T) {
	t.Parallel()
	r := newWorkerRig(t, nil)
	org, err := r.st.OrganizerByEmail(r.ctx, "organizer@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.UpdateEvent(r.ctx, org.ID, r.ev.Slug, func(ev *domain.Event) error {
		return r.rules.ApplyPatch(ev, domain.EventInput{Venue: domain.Some("Academy of Public Administration"),
			Translations: domain.Some(map[string]*domain.EventText{
				"ru": {Title: "Семинар по электронному правительству", Venue: "Академия государственного управления", City: "Ташкент"},
				"uz": {City: "Toshkent"},
			})})
	}); err != nil {
		t.Fatal(err)
	}
	ev, err := r.st.PublishedEvent(r.ctx, r.ev.Slug)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	for _, p := range []struct{ email, lang string }{{"ru@example.uz", "ru"}, {"en@example.ee", "en"}, {"uz@example.uz", "uz"}} {
		reg, err := r.rules.NewRegistration(domain.RegistrationInput{FirstName: "Nodira", LastName: "Azimova", Email: p.email,
			Country: "UZ", Organization: "CERR", Role: "expert", Language: p.lang, Consent: &yes}, ev, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		// A walk-in is confirmed at once: its email carries the calendar file.
		if _, err := r.st.RegisterWalkIn(r.ctx, ev, reg, org.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	r.drainUntilSent(r.worker(5 * time.Second))
	got := r.received()

	ru := got["ru@example.uz"]
	if !strings.Contains(ru.subject, "Семинар по электронному правительству") {
		t.Errorf("Russian subject = %q", ru.subject)
	}
	for _, want := range []string{"«Семинар по электронному правительству»", "Академия государственного управления, Ташкент, Узбекистан"} {
		if !strings.Contains(ru.text, want) {
			t.Errorf("Russian text lacks %q:\n%s", want, ru.text)
		}
	}
	if !strings.Contains(ru.ics, "SUMMARY:Семинар по электронному правительству\r\n") ||
		!strings.Contains(ru.ics, "LOCATION:Академия государственного управления\\, Ташкент\\, Узбекистан\r\n") {
		t.Errorf("Russian calendar file is not in Russian:\n%s", ru.ics)
	}
	if strings.Contains(ru.text+ru.ics, "E-government workshop") || strings.Contains(ru.text, "Tashkent") || strings.Contains(ru.ics, "Uzbekistan") {
		t.Errorf("the Russian email shows the English text:\n%s\n%s", ru.text, ru.ics)
	}

	en := got["en@example.ee"]
	if !strings.Contains(en.subject, "E-government workshop") || !strings.Contains(en.text, "Academy of Public Administration, Tashkent") {
		t.Errorf("English email = %q\n%s", en.subject, en.text)
	}
	uz := got["uz@example.uz"]
	if !strings.Contains(uz.subject, "E-government workshop") || !strings.Contains(uz.text, "Academy of Public Administration, Toshkent, Oʻzbekiston") {
		t.Errorf("Uzbek email does not fall back field by field: %q\n%s", uz.subject, uz.text)
	}
}

// TestAnInvitationEmailCarriesItsLink: someone added to the team without
// an account gets the link that sets their password, in the language the
// owner chose, and no participant's link.
func TestAnInvitationEmailCarriesItsLink(t *testing.T) {
	t.Parallel()
	r := newWorkerRig(t, nil)
	org, err := r.st.OrganizerByEmail(r.ctx, "organizer@example.org")
	if err != nil {
		t.Fatal(err)
	}
	m, err := domain.MemberInput{Email: "desk@academy.example.uz", Role: "door", Language: "ru"}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.AddMember(r.ctx, org.ID, r.ev, m); err != nil {
		t.Fatal(err)
	}
	r.drainUntilSent(r.worker(5 * time.Second))
	got := r.received()["desk@academy.example.uz"]
	if !strings.Contains(got.subject, "Приглашение в команду") {
		t.Errorf("subject = %q", got.subject)
	}
	i := strings.Index(got.text, "https://attend.example.org/admin/invite/")
	if i < 0 {
		t.Fatalf("no invitation link in:\n%s", got.text)
	}
	token := strings.Fields(got.text[i+len("https://attend.example.org/admin/invite/"):])[0]
	inv, err := r.st.InvitationByToken(r.ctx, domain.HashToken(token))
	if err != nil || inv.Role != domain.RoleDoor {
		t.Errorf("the emailed link opens %+v, %v", inv, err)
	}
	if !strings.Contains(got.text, "сотрудника регистрации на входе") || strings.Contains(got.text, "/r/") {
		t.Errorf("text:\n%s", got.text)
	}
}
