package domain_test

import (
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

func registered(t *testing.T, ev *domain.Event, answers map[string]any) *domain.Registration {
	t.Helper()
	in := validRegistration()
	in.Answers = answers
	reg, err := domain.NewRules().NewRegistration(in, ev, registeredAt)
	if err != nil {
		t.Fatal(err)
	}
	reg.Status = domain.StatusConfirmed
	return reg
}

func TestParticipantsEditTheirRegistration(t *testing.T) {
	rules := domain.NewRules()
	ev := withQuestions(t, dietQuestions())
	reg := registered(t, ev, map[string]any{"diet": "none", "visa_letter": true})

	edited, changes, err := rules.EditRegistration(reg, domain.RegistrationEdit{
		LastName:       ptr(" Yusupova-Karimova "),
		LatinFirstName: ptr("Dilnoza"),
		Days:           &[]string{"2019-05-31"},
		Answers:        map[string]any{"diet": "vegetarian", "visa_letter": nil},
	}, ev, registeredAt.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if edited.LastName != "Yusupova-Karimova" || edited.FirstName != "Dilnoza" || edited.Email != reg.Email {
		t.Errorf("edited = %+v", edited)
	}
	if reg.LastName != "Yusupova" {
		t.Error("the registration given was changed in place")
	}
	var fields []string
	for _, c := range changes {
		fields = append(fields, c.Field)
	}
	want := []string{"last_name", "latin_first_name", "days", "answers.diet", "answers.visa_letter"}
	if len(fields) != len(want) {
		t.Fatalf("changes = %+v, want %v", changes, want)
	}
	for i := range want {
		if fields[i] != want[i] {
			t.Errorf("change %d = %s, want %s", i, fields[i], want[i])
		}
	}
	if c := changes[4]; len(c.Old) != 1 || c.Old[0] != "yes" || c.New != nil {
		t.Errorf("visa letter change = %+v, want yes → nothing", c)
	}

	t.Run("the same values change nothing", func(t *testing.T) {
		_, changes, err := rules.EditRegistration(edited, domain.RegistrationEdit{FirstName: ptr("Dilnoza"), Answers: map[string]any{"diet": "vegetarian"}}, ev, registeredAt)
		if err != nil || len(changes) != 0 {
			t.Errorf("changes = %v, err = %v; want none", changes, err)
		}
	})
	t.Run("a delegation that was the country follows it", func(t *testing.T) {
		moved, _, err := rules.EditRegistration(edited, domain.RegistrationEdit{Country: ptr("kz")}, ev, registeredAt)
		if err != nil || moved.Delegation != "KZ" {
			t.Errorf("delegation = %q, err = %v; want KZ", moved.Delegation, err)
		}
		oecd, _, _ := rules.EditRegistration(edited, domain.RegistrationEdit{Delegation: ptr("OECD")}, ev, registeredAt)
		moved, _, err = rules.EditRegistration(oecd, domain.RegistrationEdit{Country: ptr("FR")}, ev, registeredAt)
		if err != nil || moved.Delegation != "OECD" {
			t.Errorf("delegation = %q, err = %v; want OECD kept", moved.Delegation, err)
		}
	})
}

func TestEditsFollowTheRegistrationRules(t *testing.T) {
	rules := domain.NewRules()
	ev := withQuestions(t, dietQuestions())
	reg := registered(t, ev, map[string]any{"diet": "none"})
	_, _, err := rules.EditRegistration(reg, domain.RegistrationEdit{
		FirstName: ptr(""),
		Email:     ptr("someone.else@example.org"),
		Days:      &[]string{"2020-01-01"},
		Answers:   map[string]any{"diet": "", "sessions": []any{"lunch"}},
	}, ev, registeredAt)
	assertFields(t, err, map[string]string{
		"first_name": "required", "email": "readonly", "days[0]": "day",
		"answers.diet": "required", "answers.sessions": "oneof",
	})
	if _, _, err := rules.EditRegistration(reg, domain.RegistrationEdit{Email: ptr(" DILNOZA.yusupova@example.uz")}, ev, registeredAt); err != nil {
		t.Errorf("the same address in another case: %v", err)
	}
}

func TestEditsStopWhenRegistrationCloses(t *testing.T) {
	rules := domain.NewRules()
	ev := workshop()
	closes := registeredAt.Add(24 * time.Hour)
	ev.RegistrationClosesAt = &closes
	reg := registered(t, ev, nil)
	if _, _, err := rules.EditRegistration(reg, domain.RegistrationEdit{Position: ptr("Head")}, ev, closes.Add(-time.Second)); err != nil {
		t.Errorf("before closing: %v", err)
	}
	for name, at := range map[string]time.Time{"once closed": closes, "after the event": ev.EndsAt()} {
		_, _, err := rules.EditRegistration(reg, domain.RegistrationEdit{Position: ptr("Head")}, ev, at)
		if domain.ErrorCode(err) != domain.EClosed {
			t.Errorf("%s: error %v, want %s", name, err, domain.EClosed)
		}
	}
	reg.Status = domain.StatusCancelled
	_, _, err := rules.EditRegistration(reg, domain.RegistrationEdit{Position: ptr("Head")}, ev, registeredAt)
	if domain.ErrorCode(err) != domain.EConflict {
		t.Errorf("cancelled: error %v, want %s", err, domain.EConflict)
	}
}
