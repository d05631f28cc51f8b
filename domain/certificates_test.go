package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

// The workshop() fixture runs three days: 30 May to 1 June 2019.
var (
	may30 = domain.NewDate(2019, time.May, 30)
	may31 = domain.NewDate(2019, time.May, 31)
	jun1  = domain.NewDate(2019, time.June, 1)
	jun2  = domain.NewDate(2019, time.June, 2) // the day after
)

func TestCertificateRuleIsMetOnlyByEnoughDistinctEventDays(t *testing.T) {
	ev := workshop()
	every := domain.CertificateRule{Kind: domain.RuleEveryDay}
	two := domain.CertificateRule{Kind: domain.RuleMinDays, MinDays: 2}
	cases := []struct {
		name     string
		rule     domain.CertificateRule
		attended []domain.Date
		want     bool
	}{
		{"every day: all three days", every, []domain.Date{may30, may31, jun1}, true},
		{"every day: in any order", every, []domain.Date{jun1, may30, may31}, true},
		{"every day: two of three", every, []domain.Date{may30, jun1}, false},
		{"every day: one day counted twice is still one", every, []domain.Date{may30, may30, may31}, false},
		{"every day: a day outside the event does not stand in", every, []domain.Date{may30, may31, jun2}, false},
		{"every day: nobody who never came", every, nil, false},
		{"at least two: two days", two, []domain.Date{may31, jun1}, true},
		{"at least two: three days", two, []domain.Date{may30, may31, jun1}, true},
		{"at least two: one day", two, []domain.Date{may31}, false},
		{"at least two: one day twice", two, []domain.Date{may31, may31}, false},
		{"at least two: one event day and one outside", two, []domain.Date{may31, jun2}, false},
		{"a min_days rule of 0 grants nothing", domain.CertificateRule{Kind: domain.RuleMinDays}, []domain.Date{may30}, false},
		{"an unknown kind grants nothing", domain.CertificateRule{Kind: "any"}, []domain.Date{may30, may31, jun1}, false},
		{"an empty rule grants nothing", domain.CertificateRule{}, []domain.Date{may30, may31, jun1}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.rule.Met(ev, c.attended); got != c.want {
				t.Errorf("Met(%v) = %v, want %v", c.attended, got, c.want)
			}
		})
	}
}

func TestCertificateSettingsAreValidatedAgainstTheEvent(t *testing.T) {
	rules := domain.NewRules()
	ev := workshop()
	valid := func() domain.CertificateSettingsInput {
		return domain.CertificateSettingsInput{Rule: domain.RuleMinDays, MinDays: 2,
			SignatoryName: "  Jane Doe ", SignatoryTitle: "Director"}
	}
	t.Run("a valid input is cleaned and kept", func(t *testing.T) {
		got, err := rules.CertificateSettings(valid(), ev)
		if err != nil {
			t.Fatal(err)
		}
		want := domain.CertificateSettings{Rule: domain.CertificateRule{Kind: domain.RuleMinDays, MinDays: 2},
			SignatoryName: "Jane Doe", SignatoryTitle: "Director"}
		if got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("every_day ignores min_days", func(t *testing.T) {
		in := valid()
		in.Rule, in.MinDays = domain.RuleEveryDay, 0
		got, err := rules.CertificateSettings(in, ev)
		if err != nil {
			t.Fatal(err)
		}
		if got.Rule != (domain.CertificateRule{Kind: domain.RuleEveryDay}) {
			t.Errorf("rule %+v", got.Rule)
		}
	})
	cases := []struct {
		name   string
		change func(*domain.CertificateSettingsInput)
		field  string
		code   string
		msg    string
	}{
		{"no rule", func(in *domain.CertificateSettingsInput) { in.Rule = "" }, "rule", "required", "Certificate rule is required."},
		{"an unknown rule", func(in *domain.CertificateSettingsInput) { in.Rule = "half" }, "rule", "oneof", ""},
		{"min_days of 0", func(in *domain.CertificateSettingsInput) { in.MinDays = 0 }, "min_days", "min", "Minimum days must be at least 1."},
		{"more days than the event has", func(in *domain.CertificateSettingsInput) { in.MinDays = 4 }, "min_days", "max_days",
			"Minimum days must be at most the event's 3 days."},
		{"negative hours", func(in *domain.CertificateSettingsInput) { in.Hours = -1 }, "hours", "min", ""},
		{"no signatory", func(in *domain.CertificateSettingsInput) { in.SignatoryName = "  " }, "signatory_name", "required",
			"Signatory's name is required."},
		{"a line break in the title", func(in *domain.CertificateSettingsInput) { in.SignatoryTitle = "Director\nGeneral" },
			"signatory_title", "nocontrol", ""},
		{"a title too long", func(in *domain.CertificateSettingsInput) { in.SignatoryTitle = strings.Repeat("x", 201) },
			"signatory_title", "max", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := valid()
			c.change(&in)
			_, err := rules.CertificateSettings(in, ev)
			e, ok := domain.AsError(err)
			if !ok || e.Code != domain.EInvalid {
				t.Fatalf("error %v, want invalid", err)
			}
			if len(e.Fields) != 1 || e.Fields[0].Field != c.field || e.Fields[0].Code != c.code {
				t.Fatalf("fields %+v, want one %s/%s", e.Fields, c.field, c.code)
			}
			if c.msg != "" && e.Fields[0].Message != c.msg {
				t.Errorf("message %q, want %q", e.Fields[0].Message, c.msg)
			}
		})
	}
}

func TestCertificateHoursComeFromTheScheduleUnlessSet(t *testing.T) {
	ev := workshop() // 09:00 to 18:00
	s := domain.CertificateSettings{}
	if got := s.HoursFor(ev, []domain.Date{may30, may31}); got != 18 {
		t.Errorf("two days of 9 hours: %d, want 18", got)
	}
	if got := s.HoursFor(ev, []domain.Date{may30, may30, jun2}); got != 9 {
		t.Errorf("one event day (twice) and a day outside: %d, want 9", got)
	}
	ev.DayStartsAt, ev.DayEndsAt = "09:30", "13:00"
	if got := s.HoursFor(ev, []domain.Date{may30, may31}); got != 7 {
		t.Errorf("two days of 3.5 hours: %d, want 7", got)
	}
	s.Hours = 16
	if got := s.HoursFor(ev, []domain.Date{may30}); got != 16 {
		t.Errorf("hours set by the organizer: %d, want 16", got)
	}
}
