package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

func ptr[T any](v T) *T { return &v }

// formQuestions asks for dietary needs (required, personal), the sessions
// attended (not personal) and a visa letter.
func formQuestions() []domain.QuestionInput {
	return []domain.QuestionInput{
		{Key: "diet", Type: "single_choice", Required: ptr(true),
			Label: map[string]string{"en": "Dietary needs", "ru": "Питание"},
			Options: []domain.OptionInput{
				{Value: "none", Label: map[string]string{"en": "No special needs", "ru": "Без ограничений"}},
				{Value: "vegetarian", Label: map[string]string{"en": "Vegetarian", "ru": "Вегетарианское"}},
				{Value: "halal", Label: map[string]string{"en": "Halal", "ru": "Халяль"}},
			}},
		{Key: "sessions", Type: "multiple_choice", Personal: ptr(false),
			Label: map[string]string{"en": "Sessions"},
			Options: []domain.OptionInput{
				{Value: "open_data", Label: map[string]string{"en": "Open data"}},
				{Value: "services", Label: map[string]string{"en": "Integrated services"}},
			}},
		{Key: "visa_letter", Type: "yes_no", Label: map[string]string{"en": "Visa invitation letter"}},
	}
}

func (r *storeRig) questionEvent() *domain.Event {
	r.t.Helper()
	return r.newEvent(0, func(in *domain.EventInput) { in.Questions = domain.Some(formQuestions()) })
}

// answering registers a new person who answers as given; change may
// adjust the input first.
func (r *storeRig) answering(ev *domain.Event, answers map[string]any, change ...func(*domain.RegistrationInput)) *domain.Registration {
	r.t.Helper()
	in := person(emailOf(int(r.people.Add(1))))
	in.Answers = answers
	for _, c := range change {
		c(&in)
	}
	res, err := r.st.Register(r.ctx, ev, r.f.newRegistration(r.t, ev, in, time.Now()))
	if err != nil {
		r.t.Fatalf("register: %v", err)
	}
	return res.Registration
}

func TestQuestionsAndAnswersAreStoredAsGiven(t *testing.T) {
	r := newStoreRig(t)
	ev := r.questionEvent()
	read, err := r.st.ManagedEvent(r.ctx, r.org.ID, ev.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(read.Questions) != 3 || read.Questions[0].Options[1].Label["ru"] != "Вегетарианское" || read.Questions[1].Personal {
		t.Fatalf("questions read back = %+v", read.Questions)
	}
	reg := r.answering(read, map[string]any{"diet": "vegetarian", "sessions": []any{"services", "open_data"}, "visa_letter": true},
		func(in *domain.RegistrationInput) {
			in.FirstName, in.LastName, in.LatinFirstName, in.LatinLastName = "Клэр", "Дюбуа", "Claire", "Dubois"
			in.Country, in.Delegation = "FR", "oecd"
		})
	got, err := r.st.Registration(r.ctx, ev.ID, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Answers["diet"] != "vegetarian" || got.Answers["visa_letter"] != true ||
		!slices.Equal(domain.AnswerValues(got.Answers["sessions"]), []string{"open_data", "services"}) {
		t.Errorf("answers = %#v", got.Answers)
	}
	if got.Delegation != "OECD" || got.Country != "FR" || got.LatinFirstName != "Claire" || got.LatinLastName != "Dubois" {
		t.Errorf("registration = %+v", got)
	}

	t.Run("a registration made before delegations represents its country", func(t *testing.T) {
		r.exec(`UPDATE registrations SET delegation = NULL WHERE id = $1`, reg.ID)
		got, err := r.st.Registration(r.ctx, ev.ID, reg.ID)
		if err != nil || got.Delegation != "FR" {
			t.Errorf("delegation = %q, err = %v; want FR", got.Delegation, err)
		}
	})
}

func TestChangedQuestionsKeepTheAnswersGiven(t *testing.T) {
	r := newStoreRig(t)
	ev := r.questionEvent()
	reg := r.answering(ev, map[string]any{"diet": "halal", "sessions": []any{"open_data"}})
	in := formQuestions()[:1]
	in[0].Options = in[0].Options[:2] // halal is no longer offered; sessions and visa_letter are gone
	ev, err := r.st.UpdateEvent(r.ctx, r.org.ID, ev.Slug, func(ev *domain.Event) error {
		return r.f.rules.ApplyPatch(ev, domain.EventInput{Questions: domain.Some(in)})
	})
	if err != nil {
		t.Fatal(err)
	}
	read, err := r.st.PublishedEvent(r.ctx, ev.Slug)
	if err != nil {
		t.Fatal(err)
	}
	sessions, ok := read.Questions.Find("sessions")
	diet, _ := read.Questions.Find("diet")
	halal, _ := diet.Option("halal")
	if !ok || !sessions.Removed || !halal.Removed || halal.Label["ru"] != "Халяль" || len(read.Questions.Asked()) != 1 {
		t.Errorf("questions after the change = %+v", read.Questions)
	}
	got, err := r.st.Registration(r.ctx, ev.ID, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Answers["diet"] != "halal" || got.Answers["sessions"] == nil {
		t.Errorf("answers = %v, want them kept", got.Answers)
	}
	stats, err := r.st.EventStats(r.ctx, read)
	if err != nil {
		t.Fatal(err)
	}
	if counts := answerCounts(stats); counts["diet"]["halal"] != 1 || counts["sessions"]["open_data"] != 1 {
		t.Errorf("answer counts = %v, want the removed option and question still counted", counts)
	}
}

// answerCounts flattens Stats.Answers to key → value → count.
func answerCounts(st *store.Stats) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, q := range st.Answers {
		out[q.Key] = map[string]int{}
		for _, o := range q.Options {
			out[q.Key][o.Value] = o.Count
		}
	}
	return out
}

func TestStatsCountAnswersAndDelegations(t *testing.T) {
	r := newStoreRig(t)
	ev := r.questionEvent()
	oecd := func(in *domain.RegistrationInput) { in.Country, in.Delegation = "FR", "OECD" }
	for range 3 {
		r.answering(ev, map[string]any{"diet": "vegetarian", "sessions": []any{"open_data", "services"}, "visa_letter": true})
	}
	r.answering(ev, map[string]any{"diet": "none", "sessions": []any{"services"}, "visa_letter": false}, oecd)
	r.answering(ev, map[string]any{"diet": "vegetarian"}, oecd)
	gone := r.answering(ev, map[string]any{"diet": "halal"})
	r.cancel(gone.ID)

	st, err := r.st.EventStats(r.ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	counts := answerCounts(st)
	want := map[string]map[string]int{
		"diet":        {"none": 1, "vegetarian": 4, "halal": 0},
		"sessions":    {"open_data": 3, "services": 4},
		"visa_letter": {"yes": 3, "no": 1},
	}
	for key, opts := range want {
		for v, n := range opts {
			if counts[key][v] != n {
				t.Errorf("%s: %s = %d, want %d (all: %v)", key, v, counts[key][v], n, counts)
			}
		}
	}
	if st.Answers[0].Options[1].Label != "Vegetarian" {
		t.Errorf("option label = %q", st.Answers[0].Options[1].Label)
	}
	byDelegation := map[string]int{}
	for _, d := range st.ByDelegation {
		byDelegation[d.Delegation+" "+d.Name] = d.Registered
	}
	if byDelegation["OECD OECD"] != 2 || byDelegation["UZ Uzbekistan"] != 3 || len(byDelegation) != 2 {
		t.Errorf("by delegation = %v, want OECD 2, UZ 3", byDelegation)
	}
	byCountry := map[string]int{}
	for _, c := range st.ByCountry {
		byCountry[c.Country] = c.Registered
	}
	if byCountry["FR"] != 2 {
		t.Errorf("by country = %v, want the OECD's staff still counted in France there", byCountry)
	}
	if len(st.ByDelegationRole) != 2 || st.ByDelegationRole[0].Delegation != "OECD" || st.ByDelegationRole[0].Registered != 2 {
		t.Errorf("by delegation and role = %+v", st.ByDelegationRole)
	}
}

func TestListFiltersByAnswerAndDelegation(t *testing.T) {
	r := newStoreRig(t)
	ev := r.questionEvent()
	veg := r.answering(ev, map[string]any{"diet": "vegetarian", "sessions": []any{"open_data", "services"}})
	r.answering(ev, map[string]any{"diet": "none", "sessions": []any{"services"}, "visa_letter": true})
	oecd := r.answering(ev, map[string]any{"diet": "vegetarian", "visa_letter": false}, func(in *domain.RegistrationInput) {
		in.Delegation, in.LatinFirstName = "OECD", "Dilnoza"
	})
	tests := []struct {
		name   string
		filter store.RegistrationFilter
		want   []string
	}{
		{"one choice", store.RegistrationFilter{Answers: map[string]any{"diet": "vegetarian"}}, []string{veg.ID, oecd.ID}},
		{"one of several choices", store.RegistrationFilter{Answers: map[string]any{"sessions": "open_data"}}, []string{veg.ID}},
		{"no", store.RegistrationFilter{Answers: map[string]any{"visa_letter": false}}, []string{oecd.ID}},
		{"two answers", store.RegistrationFilter{Answers: map[string]any{"diet": "vegetarian", "sessions": "services"}}, []string{veg.ID}},
		{"a delegation", store.RegistrationFilter{Delegation: "oecd"}, []string{oecd.ID}},
		{"a delegation and an answer", store.RegistrationFilter{Delegation: "UZ", Answers: map[string]any{"diet": "vegetarian"}}, []string{veg.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := r.st.Registrations(r.ctx, ev.ID, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, reg := range page.Registrations {
				got = append(got, reg.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
			var exported []string
			if err := r.st.EachAttendee(r.ctx, ev.ID, ev.Days(), tt.filter, 10, func(batch []store.Attendee) error {
				for _, a := range batch {
					exported = append(exported, a.ID)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(exported, tt.want) {
				t.Errorf("exported = %v, want %v", exported, tt.want)
			}
		})
	}
}

func TestErasureRemovesPersonalAnswersAndLatinNames(t *testing.T) {
	r := newStoreRig(t)
	ev := r.questionEvent()
	reg := r.answering(ev, map[string]any{"diet": "halal", "sessions": []any{"services"}, "visa_letter": true},
		func(in *domain.RegistrationInput) { in.LatinFirstName, in.Delegation = "Dilnoza", "UNDP" })
	if err := r.st.EraseRegistration(r.ctx, r.org.ID, ev.Slug, reg.ID); err != nil {
		t.Fatal(err)
	}
	got, err := r.st.Registration(r.ctx, ev.ID, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Answers) != 1 || got.Answers["sessions"] == nil || got.LatinFirstName != "" || got.Delegation != "UNDP" {
		t.Errorf("erased = %+v, want only the sessions answer and the delegation kept", got)
	}
}

func TestParticipantsEditTheirRegistrationByLink(t *testing.T) {
	r := newStoreRig(t)
	ev := r.questionEvent()
	reg := r.answering(ev, map[string]any{"diet": "none"})
	hash := domain.HashToken(r.linkToken(reg.ID))
	edit := func(ed domain.RegistrationEdit) store.Edit {
		return func(reg *domain.Registration, ev *domain.Event, now time.Time) (*domain.Registration, []domain.Change, error) {
			return r.f.rules.EditRegistration(reg, ed, ev, now)
		}
	}
	l, changes, err := r.st.EditByToken(r.ctx, hash, edit(domain.RegistrationEdit{
		LastName: ptr("Yusupova-Karimova"), Answers: map[string]any{"diet": "halal", "visa_letter": true}}))
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 3 || l.Registration.LastName != "Yusupova-Karimova" || l.Registration.Answers["diet"] != "halal" || l.Registration.EditedAt == nil {
		t.Errorf("after the edit: %+v, changes %+v", l.Registration, changes)
	}
	stored, err := r.st.Registration(r.ctx, ev.ID, reg.ID)
	if err != nil || stored.Answers["visa_letter"] != true || stored.LastName != "Yusupova-Karimova" {
		t.Errorf("stored = %+v, err %v", stored, err)
	}
	if n := r.emailCount(reg.ID, domain.EmailUpdated); n != 1 {
		t.Fatalf("%d update emails, want 1", n)
	}
	var payload store.EmailPayload
	if err := r.db.Get(&payload, `SELECT payload FROM emails WHERE registration_id = $1 AND kind = 'updated'`, reg.ID); err != nil {
		t.Fatal(err)
	}
	if len(payload.Changes) != 3 || payload.Changes[0].Field != "last_name" || payload.Changes[1].Field != "answers.diet" {
		t.Errorf("emailed changes = %+v", payload.Changes)
	}

	t.Run("the audit log records the edit, naming the fields and no values", func(t *testing.T) {
		var entries []struct {
			Action string  `db:"action"`
			Actor  *int64  `db:"actor_id"`
			RegID  *string `db:"registration_id"`
			Detail string  `db:"detail"`
		}
		if err := r.db.Select(&entries, `SELECT action, actor_id, registration_id::text, detail::text FROM audit_log
			WHERE event_id = $1 AND action = 'registration.update'`, ev.ID); err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Actor != nil || entries[0].RegID == nil || *entries[0].RegID != reg.ID {
			t.Fatalf("audit entries %+v", entries)
		}
		if d := entries[0].Detail; !strings.Contains(d, "last_name") || !strings.Contains(d, "answers.diet") || strings.Contains(d, "Karimova") || strings.Contains(d, "halal") {
			t.Errorf("audit detail %s: want the fields changed and no values", d)
		}
	})
	t.Run("an edit that changes nothing is not emailed", func(t *testing.T) {
		_, changes, err := r.st.EditByToken(r.ctx, hash, edit(domain.RegistrationEdit{LastName: ptr("Yusupova-Karimova")}))
		if err != nil || len(changes) != 0 || r.emailCount(reg.ID, domain.EmailUpdated) != 1 {
			t.Errorf("changes %v, err %v, %d emails", changes, err, r.emailCount(reg.ID, domain.EmailUpdated))
		}
	})
	t.Run("a refused edit changes nothing", func(t *testing.T) {
		_, _, err := r.st.EditByToken(r.ctx, hash, edit(domain.RegistrationEdit{Answers: map[string]any{"diet": nil}}))
		wantCode(t, err, domain.EInvalid)
		if got, _ := r.st.Registration(r.ctx, ev.ID, reg.ID); got.Answers["diet"] != "halal" {
			t.Errorf("diet = %v after a refused edit", got.Answers["diet"])
		}
	})
	t.Run("edits stop when registration closes", func(t *testing.T) {
		closes := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
		if _, err := r.st.UpdateEvent(context.Background(), r.org.ID, ev.Slug, func(ev *domain.Event) error {
			return r.f.rules.ApplyPatch(ev, domain.EventInput{RegistrationClosesAt: domain.Some(closes)})
		}); err != nil {
			t.Fatal(err)
		}
		_, _, err := r.st.EditByToken(r.ctx, hash, edit(domain.RegistrationEdit{Position: ptr("Head")}))
		wantCode(t, err, domain.EClosed)
	})
}

func TestThePapersShowDelegationsAndPassportNames(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0)
	in := person("claire@example.org")
	in.FirstName, in.LastName, in.LatinFirstName, in.LatinLastName = "Клэр", "Дюбуа", "Claire", "Dubois"
	in.Country, in.Delegation = "FR", "OECD"
	oecd, err := r.st.ImportRegistration(r.ctx, ev, r.f.newRegistration(r.t, ev, in, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	uz, err := r.st.ImportRegistration(r.ctx, ev, r.f.newRegistration(r.t, ev, person("dilnoza@example.uz"), time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	var got []store.Participant
	for p, err := range r.st.Participants(r.ctx, ev, store.ParticipantFilter{Order: store.ByDelegation, DelegationRank: []string{"UZ", "OECD"}}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	if len(got) != 2 || got[0].ID != uz.Registration.ID || got[1].ID != oecd.Registration.ID {
		t.Fatalf("participants = %+v, want Uzbekistan, then the OECD, as ranked", got)
	}
	if got[1].Delegation != "OECD" || got[1].Country != "FR" || got[1].LatinName != "Claire Dubois" || got[0].LatinName != "" {
		t.Errorf("participants = %+v", got)
	}
}
