package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/attend/attend/domain"
)

func TestAnEventsTranslationsAreStoredAndPatched(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := f.event(t, f.org, "egov-tashkent-2019", func(in *domain.EventInput) {
		in.City = domain.Some("Tashkent")
		in.CoOrganizers = domain.Some([]string{"Astana Civil Service Hub"})
		in.Translations = domain.Some(map[string]*domain.EventText{
			"ru": {Title: "Семинар по электронному правительству", City: "Ташкент", CoOrganizers: []string{"Астанинский хаб"}},
			"uz": {City: "Toshkent"},
		})
	})
	got, err := f.st.ManagedEvent(ctx, f.org.ID, ev.Slug)
	if err != nil {
		t.Fatal(err)
	}
	ru := got.Translations["ru"]
	if ru.Title != "Семинар по электронному правительству" || ru.City != "Ташкент" ||
		!slices.Equal(ru.CoOrganizers, []string{"Астанинский хаб"}) || got.Translations["uz"].City != "Toshkent" {
		t.Errorf("translations read back = %+v", got.Translations)
	}

	updated, err := f.st.UpdateEvent(ctx, f.org.ID, ev.Slug, func(e *domain.Event) error {
		return f.rules.ApplyPatch(e, domain.EventInput{Translations: domain.Some(map[string]*domain.EventText{"uz": nil})})
	})
	if err != nil {
		t.Fatal(err)
	}
	published, err := f.st.PublishedEvent(ctx, ev.Slug)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []*domain.Event{updated, published} {
		if _, ok := e.Translations["uz"]; ok || e.Translations["ru"].City != "Ташкент" {
			t.Errorf("after removing uz: %+v", e.Translations)
		}
	}
	// An event without translations reads as an empty object, never null.
	plain := f.event(t, f.org, "plain", nil)
	got, err = f.st.ManagedEvent(ctx, f.org.ID, plain.Slug)
	if err != nil || got.Translations == nil || len(got.Translations) != 0 {
		t.Errorf("plain event translations = %#v, %v", got.Translations, err)
	}
}
