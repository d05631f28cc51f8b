package notify

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// person is a participant a message test registers.
type person struct {
	name, country, lang string
	status              domain.Status
	attendedDay1        bool
}

// register puts p on the rig's event with p's status, and a check-in on the
// event's first day when p attended it.
func (r *workerRig) register(p person) *domain.Registration {
	r.t.Helper()
	yes := true
	reg, err := r.rules.NewRegistration(domain.RegistrationInput{
		FirstName: p.name, LastName: "Test", Email: strings.ToLower(p.name) + "@example.kz",
		Country: p.country, Organization: "Ministry", Role: "researcher", Language: p.lang, Consent: &yes,
	}, r.ev, time.Now())
	if err != nil {
		r.t.Fatal(err)
	}
	res, err := r.st.Register(r.ctx, r.ev, reg)
	if err != nil {
		r.t.Fatal(err)
	}
	id := res.Registration.ID
	if _, err := r.db.ExecContext(r.ctx, `UPDATE registrations SET status = $2 WHERE id = $1`, id, p.status); err != nil {
		r.t.Fatal(err)
	}
	if p.attendedDay1 {
		if _, err := r.db.ExecContext(r.ctx, `INSERT INTO checkins (registration_id, event_id, day) VALUES ($1, $2, $3::date)`,
			id, r.ev.ID, r.ev.StartsOn.String()); err != nil {
			r.t.Fatal(err)
		}
	}
	res.Registration.Status = p.status
	return res.Registration
}

// organizerMessage is a message in en and ru (uz falls back to en) to the
// confirmed participants from KZ who attended day 1.
func (r *workerRig) organizerMessage() domain.MessageInput {
	return domain.MessageInput{
		Texts: domain.MessageTexts{
			"en": {Subject: "The venue moved", Body: "Dear {name},\nwe meet in room 5. Slides: https://example.org/slides?a=1&b=2"},
			"ru": {Subject: "Место изменилось", Body: "Уважаемый(ая) {name},\nвстречаемся в зале 5. <b>Слайды</b>: https://example.org/slides"},
		},
		Filter: domain.MessageFilter{Statuses: []domain.Status{domain.StatusConfirmed}, Delegation: "KZ",
			Attended: []domain.Date{r.ev.StartsOn}},
	}
}

func TestAMessageReachesExactlyTheConfirmedKZDay1AttendeesInTheirLanguages(t *testing.T) {
	r := newWorkerRig(t, nil)
	people := []person{
		{"Aigerim", "KZ", "en", domain.StatusConfirmed, true},
		{"Nursultan", "KZ", "ru", domain.StatusConfirmed, true},
		{"Dana", "KZ", "uz", domain.StatusConfirmed, true},
		{"Askar", "KZ", "ru", domain.StatusConfirmed, false},  // did not attend day 1
		{"Bolat", "KZ", "ru", domain.StatusPending, true},     // not confirmed
		{"Dilnoza", "UZ", "ru", domain.StatusConfirmed, true}, // another country
		{"Yerlan", "KZ", "ru", domain.StatusCancelled, true},  // cancelled
		{"Gulnara", "KZ", "en", domain.StatusConfirmed, true}, // erased below
	}
	regs := map[string]*domain.Registration{}
	for _, p := range people {
		regs[p.name] = r.register(p)
	}
	org, err := r.st.OrganizerByEmail(r.ctx, "organizer@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.st.EraseRegistration(r.ctx, org.ID, r.ev.Slug, regs["Gulnara"].ID); err != nil {
		t.Fatal(err)
	}
	w := r.worker(5 * time.Second)
	r.drainUntilSent(w) // the registrations' own emails
	transactional := len(r.smtp.Messages())
	for to, m := range r.received() {
		if m.header.Get("List-Unsubscribe") != "" || m.header.Get("List-Unsubscribe-Post") != "" {
			t.Errorf("a transactional email to %s carries List-Unsubscribe", to)
		}
	}

	in := r.organizerMessage()
	in.Texts["en"] = domain.MessageText{Subject: "The venue moved, {name}", Body: in.Texts["en"].Body}
	if _, err := domain.CheckMessage(&in, r.ev, domain.BuiltinDelegations(), time.Now(), domain.DefaultMessageScheduleDaysAfterEnd); err != nil {
		t.Fatal(err)
	}
	preview, err := r.st.PreviewMessage(r.ctx, r.ev, 0, in.Filter)
	if err != nil {
		t.Fatal(err)
	}
	if preview.Recipients != 3 || preview.Sample == nil || preview.Sample.FirstName != "Aigerim" {
		t.Errorf("preview: %d recipients, sample %+v; want 3, Aigerim", preview.Recipients, preview.Sample)
	}
	in.Send = true
	m, added, err := r.st.CreateMessage(r.ctx, org.ID, r.ev, in)
	if err != nil {
		t.Fatal(err)
	}
	if added != 3 {
		t.Errorf("the send queued %d recipients, want 3", added)
	}
	r.drainUntilSent(w)

	want := map[string]string{ // address → subject in the person's language (uz falls back to en)
		"aigerim@example.kz": "The venue moved, Aigerim Test", "nursultan@example.kz": "Место изменилось", "dana@example.kz": "The venue moved, Dana Test",
	}
	// The language each email is labelled with: the one its body is in.
	wantLang := map[string]string{"aigerim@example.kz": "en", "nursultan@example.kz": "ru", "dana@example.kz": "en"}
	if n := len(r.smtp.Messages()) - transactional; n != len(want) {
		t.Errorf("%d messages arrived, want %d", n, len(want))
	}
	for to, g := range r.received() { // each address's latest email
		subject, ok := want[to]
		if !ok {
			if g.header.Get("List-Unsubscribe") != "" {
				t.Errorf("a message went to %s, who does not match", to)
			}
			continue
		}
		delete(want, to)
		if g.subject != subject {
			t.Errorf("%s got subject %q, want %q", to, g.subject, subject)
		}
		if l := g.header.Get("Content-Language"); l != wantLang[to] || !strings.Contains(g.html, `<html lang="`+wantLang[to]+`"`) {
			t.Errorf("%s: Content-Language %q, html lang in %.80q; want %s", to, l, g.html, wantLang[to])
		}
		if u := g.header.Get("List-Unsubscribe"); !strings.HasPrefix(u, "<https://attend.example.org/unsubscribe/") {
			t.Errorf("%s: List-Unsubscribe %q", to, u)
		}
		if p := g.header.Get("List-Unsubscribe-Post"); p != "List-Unsubscribe=One-Click" {
			t.Errorf("%s: List-Unsubscribe-Post %q", to, p)
		}
	}
	for to := range want {
		t.Errorf("no message reached %s", to)
	}

	// Sending again, as an interrupted send run twice would, adds nobody.
	again, err := r.st.SendMessage(r.ctx, org.ID, r.ev, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again != 0 {
		t.Errorf("sending again queued %d more, want 0", again)
	}
	sum, err := r.st.Message(r.ctx, r.ev.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Recipients != 3 || sum.Sent != 3 || sum.Failed != 0 || sum.State != domain.MessageSent {
		t.Errorf("message counts %+v, state %s; want 3 recipients, 3 sent", sum.MessageCounts, sum.State)
	}

	// A test to the organizer: the message as written, not a recipient.
	if err := r.st.QueueTestMessage(r.ctx, r.ev, m.ID, org.Email, org.Name, "en"); err != nil {
		t.Fatal(err)
	}
	r.drainUntilSent(w)
	test, ok := r.received()[org.Email]
	if !ok || test.subject != "The venue moved, Organizer" || !strings.Contains(test.text, "Dear Organizer,") ||
		test.header.Get("List-Unsubscribe") != "" {
		t.Errorf("the test to the organizer: arrived %v, %q, %q, List-Unsubscribe %q", ok, test.subject, test.text, test.header.Get("List-Unsubscribe"))
	}
	if sum, err := r.st.Message(r.ctx, r.ev.ID, m.ID); err != nil || sum.Recipients != 3 {
		t.Errorf("after the test: %+v, %v; want still 3 recipients", sum, err)
	}
}

func TestParticipantsWhoCancelOrUnsubscribeAfterTheSendAreSkipped(t *testing.T) {
	r := newWorkerRig(t, nil)
	org, err := r.st.OrganizerByEmail(r.ctx, "organizer@example.org")
	if err != nil {
		t.Fatal(err)
	}
	regs := map[string]*domain.Registration{}
	for _, name := range []string{"Aigerim", "Nursultan", "Dana"} {
		regs[name] = r.register(person{name, "KZ", "ru", domain.StatusConfirmed, true})
	}
	w := r.worker(5 * time.Second)
	r.drainUntilSent(w)

	in := r.organizerMessage()
	in.Send = true
	m, added, err := r.st.CreateMessage(r.ctx, org.ID, r.ev, in)
	if err != nil || added != 3 {
		t.Fatalf("send: %d added, %v", added, err)
	}
	// Queued for all three (and listed so until a worker claims them);
	// before the worker sends, one cancels and one unsubscribes.
	if list, err := r.st.MessageRecipients(r.ctx, r.ev.ID, m.ID); err != nil || len(list) != 3 || list[0].Status != domain.EmailQueued {
		t.Errorf("before the worker: %v; want 3 queued", err)
	}
	if _, err := r.st.CancelRegistration(r.ctx, org.ID, r.ev.Slug, regs["Nursultan"].ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := r.st.Unsubscribe(r.ctx, regs["Dana"].ID); err != nil {
		t.Fatal(err)
	}
	if err := r.st.Unsubscribe(r.ctx, regs["Dana"].ID); err != nil {
		t.Fatalf("unsubscribing twice: %v", err)
	}
	r.drainUntilSent(w)

	var messages []string
	for to, g := range r.received() {
		if g.header.Get("List-Unsubscribe") != "" {
			messages = append(messages, to)
		}
	}
	if !slices.Equal(messages, []string{"aigerim@example.kz"}) {
		t.Errorf("the message reached %v, want only aigerim@example.kz", messages)
	}
	sum, err := r.st.Message(r.ctx, r.ev.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sent != 1 || sum.Skipped != 2 || sum.Failed != 0 {
		t.Errorf("counts %+v, want 1 sent, 2 skipped", sum.MessageCounts)
	}
	// The list of recipients says skipped, and why, not "failed".
	list, err := r.st.MessageRecipients(r.ctx, r.ev.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, rc := range list {
		want := store.RecipientSkipped
		if rc.Email == "aigerim@example.kz" {
			want = domain.EmailSent
		}
		if rc.Status != want || want == store.RecipientSkipped && (rc.LastError == nil || strings.HasPrefix(*rc.LastError, "skipped")) {
			t.Errorf("recipient %s: %s %v, want %s with a reason", rc.Email, rc.Status, rc.LastError, want)
		}
	}
	if n, err := r.st.RetryFailedMessage(r.ctx, r.ev.ID, m.ID); err != nil || n != 0 {
		t.Errorf("retry failed: %d queued, %v; skipped ones must stay", n, err)
	}
	// A failed one (the server refused it for good) is retried, and only it.
	if _, err := r.db.ExecContext(r.ctx, `UPDATE emails SET status = 'failed', last_error = '550 mailbox unavailable'
		WHERE kind = 'message' AND recipient = 'aigerim@example.kz'`); err != nil {
		t.Fatal(err)
	}
	if sum, err := r.st.Message(r.ctx, r.ev.ID, m.ID); err != nil || sum.Failed != 1 || sum.Skipped != 2 {
		t.Errorf("after a refusal: %+v, %v; want 1 failed, 2 skipped", sum, err)
	}
	delivered := len(r.smtp.Messages())
	if n, err := r.st.RetryFailedMessage(r.ctx, r.ev.ID, m.ID); err != nil || n != 1 {
		t.Errorf("retry failed: %d queued, %v; want 1", n, err)
	}
	r.drainUntilSent(w)
	if n := len(r.smtp.Messages()) - delivered; n != 1 {
		t.Errorf("the retry delivered %d, want 1", n)
	}

	// A later message leaves out the one who unsubscribed.
	p, err := r.st.PreviewMessage(r.ctx, r.ev, 0, in.Filter)
	if err != nil {
		t.Fatal(err)
	}
	if p.Recipients != 1 {
		t.Errorf("a later message would go to %d, want 1 (Aigerim)", p.Recipients)
	}
}

func TestScheduledMessagesGoOutOnceWhenDue(t *testing.T) {
	r := newWorkerRig(t, nil)
	org, err := r.st.OrganizerByEmail(r.ctx, "organizer@example.org")
	if err != nil {
		t.Fatal(err)
	}
	r.register(person{"Aigerim", "KZ", "en", domain.StatusConfirmed, true})
	in := r.organizerMessage()
	at := time.Now().Add(time.Hour)
	in.SendAt = &at
	m, added, err := r.st.CreateMessage(r.ctx, org.ID, r.ev, in)
	if err != nil || added != 0 || m.State != domain.MessageScheduled {
		t.Fatalf("schedule: %+v, %d added, %v", m, added, err)
	}
	if n, err := r.st.SendDueMessages(r.ctx); err != nil || n != 0 {
		t.Fatalf("before its time: %d sent, %v", n, err)
	}
	r.st.Now = func() time.Time { return at.Add(time.Second) }
	// Several workers at once send it once.
	results := make(chan int, 4)
	for range 4 {
		go func() {
			n, err := r.st.SendDueMessages(r.ctx)
			if err != nil {
				t.Error(err)
			}
			results <- n
		}()
	}
	total := 0
	for range 4 {
		total += <-results
	}
	if total != 1 {
		t.Errorf("the scheduled message went out %d times, want 1", total)
	}
	sum, err := r.st.Message(r.ctx, r.ev.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.State != domain.MessageSent || sum.Recipients != 1 {
		t.Errorf("after its time: state %s, %d recipients", sum.State, sum.Recipients)
	}
	if err := r.st.CancelMessage(r.ctx, r.ev.ID, m.ID); domain.ErrorCode(err) != domain.EConflict {
		t.Errorf("cancelling a sent message: %v, want a conflict", err)
	}

	// A scheduled message whose answer filter the event no longer offers
	// goes back to the drafts instead of blocking the ones due after it.
	stale, later := r.organizerMessage(), r.organizerMessage()
	at2 := at.Add(2 * time.Second)
	stale.SendAt, later.SendAt = &at2, &at2
	stale.Filter.Answers = []string{"diet:halal"}
	r.st.Now = time.Now
	bad, _, err := r.st.CreateMessage(r.ctx, org.ID, r.ev, stale)
	if err != nil {
		t.Fatal(err)
	}
	good, _, err := r.st.CreateMessage(r.ctx, org.ID, r.ev, later)
	if err != nil {
		t.Fatal(err)
	}
	r.st.Now = func() time.Time { return at2.Add(time.Second) }
	if n, err := r.st.SendDueMessages(r.ctx); err != nil || n != 1 {
		t.Errorf("with a stale filter due first: %d sent, %v; want the other one sent", n, err)
	}
	for id, want := range map[int64]domain.MessageState{bad.ID: domain.MessageDraft, good.ID: domain.MessageSent} {
		if m, err := r.st.Message(r.ctx, r.ev.ID, id); err != nil || m.State != want {
			t.Errorf("message %d: %v, want %s", id, err, want)
		}
	}
}

func TestMessageBodiesAreEscapedAndLinked(t *testing.T) {
	cases := []struct {
		body, want string
	}{
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"See https://example.org/a?x=1&y=2.", `See <a href="https://example.org/a?x=1&amp;y=2" style="color:#1e3a8a;">https://example.org/a?x=1&amp;y=2</a>.`},
		{`https://example.org/"><img src=x>`, `<a href="https://example.org/" style="color:#1e3a8a;">https://example.org/</a>&#34;&gt;&lt;img src=x&gt;`},
		{"javascript:alert(1)", "javascript:alert(1)"},
		{"one\ntwo", "one<br>\ntwo"},
		{"https://example.org/path_(x)", `<a href="https://example.org/path_(x)" style="color:#1e3a8a;">https://example.org/path_(x)</a>`},
		{"(see https://example.org/path_(x))", `(see <a href="https://example.org/path_(x)" style="color:#1e3a8a;">https://example.org/path_(x)</a>)`},
		{"(see https://example.org/a).", `(see <a href="https://example.org/a" style="color:#1e3a8a;">https://example.org/a</a>).`},
		{"[https://example.org/a[1]]", `[<a href="https://example.org/a[1]" style="color:#1e3a8a;">https://example.org/a[1]</a>]`},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%.20q", c.body), func(t *testing.T) {
			if got := string(autolink(c.body)); got != c.want {
				t.Errorf("autolink(%q) = %q, want %q", c.body, got, c.want)
			}
		})
	}
}

func TestOrganizerMessagesHaveTheirOwnPerAddressLimit(t *testing.T) {
	r, org, now := limitedRig(t, 2)
	var err error
	var ids []int64
	for i, want := range []int{1, 1, 0} { // the third within the hour is held back
		in := r.organizerMessage()
		in.Send = true
		m, added, err := r.st.CreateMessage(r.ctx, org.ID, r.ev, in)
		if err != nil {
			t.Fatal(err)
		}
		if added != want {
			t.Errorf("message %d reached %d, want %d", i+1, added, want)
		}
		ids = append(ids, m.ID)
	}
	// The third says who it holds back, and stays partly sent.
	held, err := r.st.Message(r.ctx, r.ev.ID, ids[2])
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.st.HeldBack(r.ctx, r.ev, held.Message); err != nil || n != 1 || held.State != domain.MessageSending {
		t.Errorf("the message held back: state %s, %d held back (%v); want sending, 1", held.State, n, err)
	}
	if p, err := r.st.PreviewMessage(r.ctx, r.ev, 0, r.organizerMessage().Filter); err != nil || p.Recipients != 0 || p.HeldBack != 1 {
		t.Errorf("a preview within the hour: %+v, %v; want 0 recipients, 1 held back", p, err)
	}
	// Within the hour the periodic job writes to nobody, records nothing,
	// and ends.
	var audits, auditsAfter int
	if err := r.db.GetContext(r.ctx, &audits, `SELECT count(*) FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if n, err := r.st.SendDueMessages(r.ctx); err != nil || n != 0 {
			t.Errorf("within the hour: %d sent, %v", n, err)
		}
	}
	if err := r.db.GetContext(r.ctx, &auditsAfter, `SELECT count(*) FROM audit_log`); err != nil || auditsAfter != audits {
		t.Errorf("the retries within the hour wrote %d audit rows (%v)", auditsAfter-audits, err)
	}
	// An hour later the periodic job writes to the one held back, once.
	r.st.Now = func() time.Time { return now.Add(61 * time.Minute) }
	for i, want := range []int{1, 0} {
		if n, err := r.st.SendDueMessages(r.ctx); err != nil || n != want {
			t.Errorf("an hour later, run %d: %d sent, %v; want %d", i+1, n, err, want)
		}
	}
	sum, err := r.st.Message(r.ctx, r.ev.ID, ids[2])
	if err != nil || sum.State != domain.MessageSent || sum.Recipients != 1 {
		t.Errorf("after the retry: %+v, %v; want sent to 1", sum, err)
	}
}

func TestAMessageHeldBackWhenTheEventEndsIsSentToNobodyMore(t *testing.T) {
	r, org, _ := limitedRig(t, 1)
	var err error
	var last *domain.Message
	for range 2 {
		in := r.organizerMessage()
		in.Send = true
		if last, _, err = r.st.CreateMessage(r.ctx, org.ID, r.ev, in); err != nil {
			t.Fatal(err)
		}
	}
	if last.State != domain.MessageSending {
		t.Fatalf("the second message: %s, want sending", last.State)
	}
	r.st.Now = func() time.Time { return r.ev.EndsAt().Add(time.Hour) }
	if n, err := r.st.SendDueMessages(r.ctx); err != nil || n != 0 {
		t.Errorf("after the event: %d sent, %v", n, err)
	}
	sum, err := r.st.Message(r.ctx, r.ev.ID, last.ID)
	if err != nil || sum.State != domain.MessageSent || sum.Recipients != 0 {
		t.Errorf("after the event: %+v, %v; want sent, to nobody", sum, err)
	}
}

// limitedRig is a rig whose store allows perHour organizer messages per
// address, with its clock stopped at now, and one confirmed participant
// from KZ who attended the first day.
func limitedRig(t *testing.T, perHour int) (*workerRig, *domain.Organizer, time.Time) {
	r := newWorkerRig(t, nil)
	r.st.MessagesPerAddressHour = perHour
	org, err := r.st.OrganizerByEmail(r.ctx, "organizer@example.org")
	if err != nil {
		t.Fatal(err)
	}
	r.register(person{"Aigerim", "KZ", "en", domain.StatusConfirmed, true})
	now := time.Now()
	r.st.Now = func() time.Time { return now }
	return r, org, now
}
