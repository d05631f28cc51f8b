package store_test

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

func TestRegisterStoresTheRegistration(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ev := f.event(t, f.org, "egov", nil)
	in := person("Dilnoza.Yusupova@Example.UZ")
	in.FirstName, in.LastName = "Дилноза", "Юсупова"
	in.Phone = "+998 (71) 123-45-67"
	in.Days = []string{ev.EndsOn.String()}
	in.Language = "uz"
	res := f.register(t, ev, in)
	if !res.Created || res.Status != domain.StatusPending || res.Registration.Status != domain.StatusPending {
		t.Fatalf("first registration: created %v, status %q", res.Created, res.Status)
	}
	got, err := f.st.Registration(ctx, ev.ID, res.Registration.ID)
	if err != nil {
		t.Fatalf("Registration: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"first_name", got.FirstName, "Дилноза"},
		{"last_name", got.LastName, "Юсупова"},
		{"email", got.Email, "Dilnoza.Yusupova@Example.UZ"},
		{"phone", got.Phone, "+998711234567"},
		{"country", got.Country, "UZ"},
		{"language", got.Language, "uz"},
		{"days", strings.Join(domain.DateStrings(got.Days), ","), ev.EndsOn.String()},
		{"checkin_code", got.CheckinCode, res.Registration.CheckinCode},
		{"status", got.Status, domain.StatusPending},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if held := seatsHeld(t, f.db, ev); held != 1 {
		t.Errorf("seats held = %d, want 1", held)
	}
}

func TestRegisterTheSameEmailTwiceKeepsOneRow(t *testing.T) {
	f := newFixture(t)
	ev := f.event(t, f.org, "egov", nil)
	first := f.register(t, ev, person("dilnoza@example.uz"))
	again := person("DILNOZA@Example.uz")
	again.FirstName = "Someone else"
	second := f.register(t, ev, again)

	if !first.Created {
		t.Error("the first registration was not created")
	}
	if second.Created {
		t.Error("the same email in another case was created again")
	}
	if second.Status != first.Status {
		t.Errorf("repeat status = %q, want %q like a new registration", second.Status, first.Status)
	}
	if second.Registration.ID != first.Registration.ID || second.Registration.FirstName != "Dilnoza" {
		t.Errorf("repeat returned %+v, want the existing registration unchanged", second.Registration)
	}
	if n := count(t, f.db, `SELECT count(*) FROM registrations WHERE event_id = $1`, ev.ID); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
	if held := seatsHeld(t, f.db, ev); held != 1 {
		t.Errorf("seats held = %d, want 1", held)
	}
}

func TestRegisterTheSameEmailForTwoEvents(t *testing.T) {
	f := newFixture(t)
	a := f.event(t, f.org, "first", nil)
	b := f.event(t, f.org, "second", nil)
	if !f.register(t, a, person("dilnoza@example.uz")).Created || !f.register(t, b, person("dilnoza@example.uz")).Created {
		t.Error("one email could not register for two different events")
	}
}

func TestConcurrentIdenticalRegistrationsLeaveOneRow(t *testing.T) {
	f := newFixture(t)
	ev := f.event(t, f.org, "egov", func(in *domain.EventInput) { in.Capacity = domain.Some(10) })
	const n = 20
	regs := make([]*domain.Registration, n)
	for i := range regs {
		regs[i] = f.newRegistration(t, ev, person("dilnoza@example.uz"), time.Now())
	}
	var (
		wg      sync.WaitGroup
		results = make([]store.RegisterResult, n)
		errs    = make([]error, n)
		start   = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = f.st.Register(context.Background(), ev, regs[i])
		}()
	}
	close(start)
	wg.Wait()

	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("request %d: %v", i, errs[i])
			continue
		}
		if results[i].Created {
			created++
		}
		if results[i].Status != domain.StatusPending {
			t.Errorf("request %d answered %q, want pending", i, results[i].Status)
		}
	}
	if created != 1 {
		t.Errorf("%d requests created a registration, want exactly 1", created)
	}
	if rows := count(t, f.db, `SELECT count(*) FROM registrations WHERE event_id = $1`, ev.ID); rows != 1 {
		t.Errorf("%d rows, want exactly 1", rows)
	}
	if held := seatsHeld(t, f.db, ev); held != 1 {
		t.Errorf("seats held = %d, want 1", held)
	}
	// One confirmation request, then repeats up to the hourly allowance.
	if emails := count(t, f.db, `SELECT count(*) FROM emails WHERE event_id = $1`, ev.ID); emails != domain.MaxEmailsPerAddressHour {
		t.Errorf("%d emails queued, want %d", emails, domain.MaxEmailsPerAddressHour)
	}
}

func TestConcurrentRegistrationsNeverExceedCapacity(t *testing.T) {
	f := newFixture(t)
	ev := f.event(t, f.org, "egov", func(in *domain.EventInput) { in.Capacity = domain.Some(5) })
	const n = 20
	regs := make([]*domain.Registration, n)
	for i := range regs {
		regs[i] = f.newRegistration(t, ev, person(emailOf(i)), time.Now())
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = f.st.Register(context.Background(), ev, regs[i])
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if got := count(t, f.db, `SELECT count(*) FROM registrations WHERE event_id = $1 AND status = 'pending'`, ev.ID); got != 5 {
		t.Errorf("%d pending, want 5", got)
	}
	if got := count(t, f.db, `SELECT count(*) FROM registrations WHERE event_id = $1 AND status = 'waitlisted'`, ev.ID); got != 15 {
		t.Errorf("%d waitlisted, want 15", got)
	}
	if held := seatsHeld(t, f.db, ev); held != 5 {
		t.Errorf("seats held = %d, want 5", held)
	}
}

func TestRegisterWaitlistsWhenFull(t *testing.T) {
	f := newFixture(t)
	ev := f.event(t, f.org, "egov", func(in *domain.EventInput) { in.Capacity = domain.Some(2) })
	want := []domain.Status{domain.StatusPending, domain.StatusPending, domain.StatusWaitlisted, domain.StatusWaitlisted}
	for i, w := range want {
		res := f.register(t, ev, person(emailOf(i)))
		if !res.Created || res.Status != w || res.Registration.Status != w {
			t.Errorf("registration %d: created %v, status %q, want %q", i+1, res.Created, res.Status, w)
		}
	}
	if held := seatsHeld(t, f.db, ev); held != 2 {
		t.Errorf("seats held = %d, want 2 (waitlisted registrations hold no seat)", held)
	}
	repeat := f.register(t, ev, person(emailOf(0)))
	if repeat.Created || repeat.Status != domain.StatusWaitlisted {
		t.Errorf("a repeat on a full event: created %v, status %q; want not created and waitlisted, as a newcomer would get",
			repeat.Created, repeat.Status)
	}
}

func TestRegisterConfirmedTakesASeat(t *testing.T) {
	f := newFixture(t)
	ev := f.event(t, f.org, "egov", func(in *domain.EventInput) { in.Capacity = domain.Some(1) })
	reg := f.newRegistration(t, ev, person("walk-in@example.org"), time.Now())
	res, err := f.st.ImportRegistration(context.Background(), ev, reg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != domain.StatusConfirmed {
		t.Errorf("status = %q, want confirmed", res.Status)
	}
	if held := seatsHeld(t, f.db, ev); held != 1 {
		t.Errorf("seats held = %d, want 1", held)
	}
}

func TestRegisterWithNotifyQueuesOneEmailInTheSameTransaction(t *testing.T) {
	f := newFixture(t)
	ev := f.event(t, f.org, "egov", func(in *domain.EventInput) { in.Capacity = domain.Some(1) })
	ctx := context.Background()
	register := func(email string) store.RegisterResult {
		t.Helper()
		res, err := f.st.Register(ctx, ev, f.newRegistration(t, ev, person(email), time.Now()))
		if err != nil {
			t.Fatalf("Register(%s): %v", email, err)
		}
		return res
	}
	register("first@example.org")
	register("second@example.org")
	kinds := func(email string) []string {
		var out []string
		if err := f.db.Select(&out, `SELECT kind FROM emails WHERE recipient = $1 ORDER BY id`, email); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := kinds("first@example.org"); !slices.Equal(got, []string{string(domain.EmailConfirmRequest)}) {
		t.Errorf("first registrant's emails = %v, want one confirm request", got)
	}
	if got := kinds("second@example.org"); !slices.Equal(got, []string{string(domain.EmailWaitlisted)}) {
		t.Errorf("waitlisted registrant's emails = %v, want one waitlisted email", got)
	}
	var sealed string
	if err := f.db.Get(&sealed, `SELECT payload->>'sealed_token' FROM emails WHERE recipient = 'first@example.org'`); err != nil {
		t.Fatal(err)
	}
	plain, err := f.st.Sealer.Open(sealed)
	if err != nil || !domain.ValidTokenSyntax(plain) {
		t.Fatalf("the queued link token does not open to a token: %q, %v", plain, err)
	}
	if n := count(t, f.db, `SELECT count(*) FROM registration_tokens WHERE token_hash = $1`, domain.HashToken(plain)); n != 1 {
		t.Errorf("the emailed token's hash is stored %d times, want once", n)
	}
	for range 5 {
		register("FIRST@example.org")
	}
	if got := kinds("first@example.org"); len(got) != domain.MaxEmailsPerAddressHour {
		t.Errorf("after 5 repeats the address has %d emails %v, want at most %d an hour", len(got), got, domain.MaxEmailsPerAddressHour)
	}
}

func TestRegisterWithoutSealerQueuesNothing(t *testing.T) {
	f := newFixture(t)
	f.st.Sealer = nil
	ev := f.event(t, f.org, "egov", nil)
	reg := f.newRegistration(t, ev, person("dilnoza@example.uz"), time.Now())
	if _, err := f.st.Register(context.Background(), ev, reg); err == nil {
		t.Fatal("Register with Notify and no sealer succeeded")
	}
	if n := count(t, f.db, `SELECT count(*) FROM registrations`); n != 0 {
		t.Errorf("%d registrations stored without their email; the transaction should roll back", n)
	}
	if held := seatsHeld(t, f.db, ev); held != 0 {
		t.Errorf("seats held = %d after a rolled-back registration", held)
	}
}

func TestRegistrationLookup(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.event(t, f.org, "a", nil)
	b := f.event(t, f.org, "b", nil)
	res := f.register(t, a, person("dilnoza@example.uz"))
	tests := []struct {
		name    string
		eventID int64
		id      string
	}{
		{"an id from another event is not found", b.ID, res.Registration.ID},
		{"an unknown id is not found", a.ID, "00000000-0000-4000-8000-000000000000"},
		{"an id that is not a UUID is not found", a.ID, "1 OR 1=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.st.Registration(ctx, tt.eventID, tt.id)
			wantCode(t, err, domain.ENotFound)
		})
	}
}

// seedRegistrations stores n registrations for ev, ten at a time with the
// same timestamp, so that paging must break ties by id.
func seedRegistrations(t *testing.T, f *fixture, ev *domain.Event, n int) []string {
	t.Helper()
	base := time.Date(2030, time.January, 1, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i := range n {
		reg := f.newRegistration(t, ev, person(emailOf(i)), base.Add(time.Duration(i/10)*time.Minute))
		res, err := f.st.Register(context.Background(), ev, reg)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Registration.ID)
	}
	return ids
}

func TestRegistrationsPagesWithoutGapsOrDuplicates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ev := f.event(t, f.org, "egov", nil)
	seedRegistrations(t, f, ev, 120)
	var want []string
	if err := f.db.Select(&want, `SELECT id FROM registrations WHERE event_id = $1 ORDER BY created_at, id`, ev.ID); err != nil {
		t.Fatal(err)
	}

	var got []string
	var sizes []int
	cursor := ""
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatal("paging does not end")
		}
		p, err := f.st.Registrations(ctx, ev.ID, store.RegistrationFilter{Limit: 50, Cursor: cursor})
		if err != nil {
			t.Fatalf("page %d: %v", page+1, err)
		}
		sizes = append(sizes, len(p.Registrations))
		for _, r := range p.Registrations {
			got = append(got, r.ID)
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	if !slices.Equal(sizes, []int{50, 50, 20}) {
		t.Errorf("page sizes = %v, want [50 50 20]", sizes)
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged ids differ from the full ordered list (%d vs %d ids)", len(got), len(want))
	}
	seen := map[string]bool{}
	for _, id := range got {
		if seen[id] {
			t.Errorf("id %s appears twice", id)
		}
		seen[id] = true
	}

	first, err := f.st.Registrations(ctx, ev.ID, store.RegistrationFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.st.Registrations(ctx, ev.ID, store.RegistrationFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if first.NextCursor != again.NextCursor || first.Registrations[49].ID != again.Registrations[49].ID {
		t.Error("the same page asked twice came back different")
	}
}

func TestRegistrationsExactMultipleHasNoEmptyLastPage(t *testing.T) {
	f := newFixture(t)
	ev := f.event(t, f.org, "egov", nil)
	seedRegistrations(t, f, ev, 10)
	p, err := f.st.Registrations(context.Background(), ev.ID, store.RegistrationFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Registrations) != 10 || p.NextCursor != "" {
		t.Errorf("got %d registrations and cursor %q, want 10 and no cursor", len(p.Registrations), p.NextCursor)
	}
}

func TestRegistrationsOfAnEmptyEventIsAnEmptyList(t *testing.T) {
	f := newFixture(t)
	ev := f.event(t, f.org, "egov", nil)
	p, err := f.st.Registrations(context.Background(), ev.ID, store.RegistrationFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if p.Registrations == nil || len(p.Registrations) != 0 || p.NextCursor != "" {
		t.Errorf("page = %+v, want an empty, non-nil list", p)
	}
}

func TestRegistrationsFilters(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ev := f.event(t, f.org, "egov", func(in *domain.EventInput) { in.Capacity = domain.Some(5) })
	other := f.event(t, f.org, "other", nil)
	people := []struct {
		first, last, email, country, org string
	}{
		{"Anna", "Maria Petrova", "anna@example.org", "KZ", "Ministry of Digital Development"},
		{"Oʻktam", "Ergashev", "oktam@example.uz", "UZ", "100% Digital Agency"},
		{"Dilnoza", "Yusupova", "dilnoza@example.uz", "UZ", "1000 Digital Agency"},
		{"Kadri", "Tamm", "kadri_tamm@example.ee", "EE", "Information System Authority"},
		{"Nino", "Beridze", "nino@example.ge", "GE", `Back\slash Institute`},
		{"Bakyt", "Asanov", "bakyt@example.kg", "KG", "State Agency"}, // sixth: waitlisted
		{"Айгерим", "Сейтказиева", "aigerim@example.kz", "KZ", "Министерство цифрового развития"},
	}
	for _, p := range people {
		in := person(p.email)
		in.FirstName, in.LastName, in.Country, in.Organization = p.first, p.last, p.country, p.org
		f.register(t, ev, in)
	}
	// The same person registered for another event must never show up here.
	f.register(t, other, person("anna@example.org"))

	tests := []struct {
		name   string
		filter store.RegistrationFilter
		want   []string // emails, in registration order
	}{
		{"no filter lists everyone", store.RegistrationFilter{},
			[]string{"anna@example.org", "oktam@example.uz", "dilnoza@example.uz", "kadri_tamm@example.ee", "nino@example.ge", "bakyt@example.kg", "aigerim@example.kz"}},
		{"status waitlisted", store.RegistrationFilter{Status: "waitlisted"}, []string{"bakyt@example.kg", "aigerim@example.kz"}},
		{"status confirmed matches nobody yet", store.RegistrationFilter{Status: "confirmed"}, nil},
		{"country UZ", store.RegistrationFilter{Country: "UZ"}, []string{"oktam@example.uz", "dilnoza@example.uz"}},
		{"country in lower case", store.RegistrationFilter{Country: "ee"}, []string{"kadri_tamm@example.ee"}},
		{"a first name in another case", store.RegistrationFilter{Query: "DILNOZA"}, []string{"dilnoza@example.uz"}},
		{"a last name", store.RegistrationFilter{Query: "ergashev"}, []string{"oktam@example.uz"}},
		{"first and last name together", store.RegistrationFilter{Query: "anna maria"}, []string{"anna@example.org"}},
		{"a Cyrillic name", store.RegistrationFilter{Query: "Сейтказиева"}, []string{"aigerim@example.kz"}},
		// Case-folding beyond ASCII depends on the database's LC_CTYPE: this
		// fails on a cluster made with --no-locale (C), as pgtest's own
		// throwaway cluster is, and so would search on such a server.
		{"a Cyrillic name in another case", store.RegistrationFilter{Query: "сейтказиева"}, []string{"aigerim@example.kz"}},
		{"a Cyrillic organization", store.RegistrationFilter{Query: "цифрового"}, []string{"aigerim@example.kz"}},
		{"a name with the Uzbek ʻ", store.RegistrationFilter{Query: "Oʻktam"}, []string{"oktam@example.uz"}},
		{"part of an email", store.RegistrationFilter{Query: "@EXAMPLE.UZ"}, []string{"oktam@example.uz", "dilnoza@example.uz"}},
		{"part of an organization", store.RegistrationFilter{Query: "digital agency"}, []string{"oktam@example.uz", "dilnoza@example.uz"}},
		{"a percent sign matches only a literal percent", store.RegistrationFilter{Query: "%"}, []string{"oktam@example.uz"}},
		{"100% matches only 100%", store.RegistrationFilter{Query: "100%"}, []string{"oktam@example.uz"}},
		{"an underscore matches only a literal underscore", store.RegistrationFilter{Query: "_"}, []string{"kadri_tamm@example.ee"}},
		{"a backslash matches only a literal backslash", store.RegistrationFilter{Query: `k\s`}, []string{"nino@example.ge"}},
		{"surrounding spaces are ignored", store.RegistrationFilter{Query: "  tamm  "}, []string{"kadri_tamm@example.ee"}},
		{"filters combine", store.RegistrationFilter{Country: "UZ", Query: "dilnoza", Status: "pending"}, []string{"dilnoza@example.uz"}},
		{"a query matching nobody", store.RegistrationFilter{Query: "zzz"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.filter.Limit = 50
			p, err := f.st.Registrations(ctx, ev.ID, tt.filter)
			if err != nil {
				t.Fatalf("Registrations: %v", err)
			}
			var got []string
			for _, r := range p.Registrations {
				got = append(got, r.Email)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRegistrationsRefusesAForeignCursor(t *testing.T) {
	f := newFixture(t)
	ev := f.event(t, f.org, "egov", nil)
	b64 := base64.RawURLEncoding.EncodeToString
	for _, c := range []struct{ name, cursor string }{
		{"garbage", "not a cursor!"},
		{"standard base64 padding", "eyJ0IjoiMjAxOS0wNS0zMFQwOTowMDowMFoiLCJpZCI6IngifQ=="},
		{"base64 of text", b64([]byte("hello"))},
		{"an empty object", b64([]byte(`{}`))},
		{"an id that is not a UUID", b64([]byte(`{"t":"2019-05-30T09:00:00Z","id":"1; DROP TABLE registrations"}`))},
		{"no time", b64([]byte(`{"id":"00000000-0000-4000-8000-000000000000"}`))},
	} {
		t.Run(c.name+" is invalid on field cursor", func(t *testing.T) {
			_, err := f.st.Registrations(context.Background(), ev.ID, store.RegistrationFilter{Limit: 50, Cursor: c.cursor})
			e := wantCode(t, err, domain.EInvalid)
			if len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
				t.Errorf("fields = %+v, want one on cursor", e.Fields)
			}
		})
	}
}

func TestAWalkInOfACancelledRegistrationStartsItAfresh(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(1)
	old := r.signUp(ev, time.Now().Add(-time.Hour))
	r.cancel(old.ID)

	walkIn := r.newRegistration(ev, time.Now())
	walkIn.Email, walkIn.FirstName = strings.ToUpper(old.Email), "Dilnoza-Walk-In"
	res, err := r.st.RegisterWalkIn(r.ctx, ev, walkIn, r.org.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Status != domain.StatusConfirmed || res.Registration.ID != old.ID || res.Registration.CheckinCode != old.CheckinCode {
		t.Fatalf("walk-in: created %v, status %s, id %s, code %s; want the cancelled registration back, confirmed, with its id and code",
			res.Created, res.Status, res.Registration.ID, res.Registration.CheckinCode)
	}
	got, err := r.st.Registration(r.ctx, ev.ID, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusConfirmed || got.ConfirmedAt == nil || got.CancelledAt != nil || got.FirstName != "Dilnoza-Walk-In" {
		t.Errorf("stored %s, confirmed at %v, cancelled at %v, first name %q; want the walk-in's details, confirmed and not cancelled",
			got.Status, got.ConfirmedAt, got.CancelledAt, got.FirstName)
	}
	if held := r.seatsHeld(ev.ID); held != 1 {
		t.Errorf("seats held = %d, want 1", held)
	}
	for kind, want := range map[domain.EmailKind]int{domain.EmailConfirmRequest: 1, domain.EmailCancelled: 1, domain.EmailConfirmed: 1} {
		if n := r.emailCount(old.ID, kind); n != want {
			t.Errorf("%d %s emails, want %d", n, kind, want)
		}
	}
}
