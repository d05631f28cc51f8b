package domain_test

import (
	"testing"

	"github.com/attend/attend/domain"
)

func TestCheckInviteesNamesEveryRowsProblem(t *testing.T) {
	rules := domain.NewRules()
	ev := &domain.Event{Languages: []string{"ru", "en"}}
	rows := []domain.InviteeInput{
		{Email: " Aigerim@Example.kz ", Delegation: "kz"},
		{Email: "not-an-address"},
		{Email: "aigerim@example.kz"},
		{Email: "x@example.org", Delegation: "NARNIA"},
		{Email: "y@example.org", Language: "de"},
		{Email: "z@example.org", FirstName: "\xff\xfe"},
		{Email: "w@example.org", Delegation: "oecd", Language: "UZ"},
	}
	want := []struct{ outcome, field, language string }{
		{domain.OutcomeInvite, "", "ru"},
		{domain.OutcomeInvalid, "email", "ru"},
		{domain.OutcomeDuplicate, "", "ru"},
		{domain.OutcomeInvalid, "delegation", "ru"},
		{domain.OutcomeInvalid, "language", "de"},
		{domain.OutcomeInvalid, "first_name", "ru"},
		{domain.OutcomeInvite, "", "uz"},
	}
	got := rules.CheckInvitees(ev, rows)
	for i, w := range want {
		c := got[i]
		field := ""
		if len(c.Problems) > 0 {
			field = c.Problems[0].Field
		}
		if c.Row != i+1 || c.Outcome != w.outcome || field != w.field || c.Input.Language != w.language {
			t.Errorf("row %d = %+v, want %s (%q) in %s", i+1, c, w.outcome, w.field, w.language)
		}
	}
	if got[0].Input.Email != "Aigerim@Example.kz" || got[0].Input.Delegation != "KZ" || got[6].Input.Delegation != "OECD" {
		t.Errorf("cleaned rows: %+v, %+v", got[0].Input, got[6].Input)
	}
}

func TestInviteeColumnsMatchHeadersInAnyOrderAndLanguage(t *testing.T) {
	cols, ok := domain.InviteeColumns([]string{"Notes", " ЭЛ. ПОЧТА ", "Имя", "Фамилия", "Country", "Организация", "Job title"})
	want := map[string]int{"email": 1, "first_name": 2, "last_name": 3, "delegation": 4, "organization": 5, "position": 6}
	if !ok || len(cols) != len(want) {
		t.Fatalf("columns %v (%v), want %v", cols, ok, want)
	}
	for name, i := range want {
		if cols[name] != i {
			t.Errorf("%s at %d, want %d", name, cols[name], i)
		}
	}
	if _, ok := domain.InviteeColumns([]string{"name", "organization"}); ok {
		t.Error("a header without an email column was accepted")
	}
}
