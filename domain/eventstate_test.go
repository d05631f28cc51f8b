package domain_test

import (
	"slices"
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

func TestAnEventGoesFromDraftToPast(t *testing.T) {
	tashkent, _ := time.LoadLocation("Asia/Tashkent")
	at := func(day int, hour int) time.Time { return time.Date(2019, time.May, day, hour, 0, 0, 0, tashkent) }
	closes := at(29, 18)
	ev := workshop() // 30 May to 1 June, 09:00–18:00
	ev.EndsOn = domain.NewDate(2019, time.May, 31)
	ev.RegistrationClosesAt = &closes
	cases := []struct {
		name      string
		published bool
		now       time.Time
		want      domain.EventState
	}{
		{"unpublished, before it", false, at(1, 9), domain.StateDraft},
		{"unpublished, after it", false, at(31, 19), domain.StateDraft},
		{"published, registration open", true, at(1, 9), domain.StatePublished},
		{"published, registration over", true, at(29, 18), domain.StateRegistrationClosed},
		{"on the last day", true, at(31, 17), domain.StateRegistrationClosed},
		{"after the last day's end", true, at(31, 18), domain.StatePast},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev.Published = c.published
			if got := ev.State(c.now); got != c.want {
				t.Errorf("State = %s, want %s", got, c.want)
			}
		})
	}
}

func TestChangedFieldsNamesWhatAPatchChanged(t *testing.T) {
	rules := domain.NewRules()
	ev := translatedWorkshop(t)
	before := *ev
	err := rules.ApplyPatch(ev, domain.EventInput{
		Title:     domain.Some(ev.Title), // the same value is no change
		Capacity:  domain.Some(40),
		Published: domain.Some(false),
		Translations: domain.Some(map[string]*domain.EventText{
			"ru": {Title: "Семинар"},
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := domain.ChangedFields(&before, ev)
	if want := []string{"capacity", "published", "translations"}; !slices.Equal(got, want) {
		t.Errorf("ChangedFields = %v, want %v", got, want)
	}
	if got := domain.ChangedFields(ev, ev); len(got) != 0 {
		t.Errorf("ChangedFields(ev, ev) = %v", got)
	}
}

func TestDuplicateIsTheSameEventOnTheDatesOfAComingYear(t *testing.T) {
	rules := domain.NewRules()
	ev := translatedWorkshop(t) // 30–31 May 2019
	opens, closes := time.Date(2019, time.May, 1, 4, 0, 0, 0, time.UTC), time.Date(2019, time.May, 29, 13, 0, 0, 0, time.UTC)
	ev.RegistrationOpensAt, ev.RegistrationClosesAt = &opens, &closes
	capacity := 60
	ev.Capacity = &capacity

	cases := []struct {
		now              time.Time
		slug, start, end string
		opens            string
	}{
		{time.Date(2019, time.June, 10, 12, 0, 0, 0, time.UTC), "egov-tashkent-2020", "2020-05-30", "2020-05-31", "2020-05-01T09:00:00+05:00"},
		// Years later: the first year whose dates are still to come.
		{time.Date(2026, time.December, 2, 12, 0, 0, 0, time.UTC), "egov-tashkent-2027", "2027-05-30", "2027-05-31", "2027-05-01T09:00:00+05:00"},
	}
	for _, c := range cases {
		t.Run(c.slug, func(t *testing.T) {
			in := ev.Duplicate(c.now)
			cp, err := rules.NewEvent(in)
			if err != nil {
				t.Fatalf("NewEvent(duplicate): %v", err)
			}
			if cp.Slug != c.slug || cp.StartsOn.String() != c.start || cp.EndsOn.String() != c.end {
				t.Errorf("copy = %s %s–%s, want %s %s–%s", cp.Slug, cp.StartsOn, cp.EndsOn, c.slug, c.start, c.end)
			}
			if got := cp.RegistrationOpensAt.In(ev.Location()).Format(time.RFC3339); got != c.opens {
				t.Errorf("registration opens %s, want %s", got, c.opens)
			}
			if cp.Published {
				t.Error("the copy is published; it must start as a draft")
			}
			if *cp.Capacity != 60 || cp.Translations["ru"].City != "Ташкент" || !slices.Equal(cp.CoOrganizers, ev.CoOrganizers) {
				t.Errorf("the copy lost settings: capacity %v, translations %+v", *cp.Capacity, cp.Translations)
			}
		})
	}
	t.Run("a slug without a year gets one", func(t *testing.T) {
		ev.Slug = "egov-followup-workshop"
		if got := ev.Duplicate(cases[0].now).Slug.Value; got != "egov-followup-workshop-2020" {
			t.Errorf("slug = %s", got)
		}
	})
}
