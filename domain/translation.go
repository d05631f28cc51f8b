package domain

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// EventText is an event's wording in one language: what a reader sees of
// it besides dates and numbers. An empty field falls back to the event's
// main text, so a translation may give only a title.
type EventText struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Venue       string `json:"venue,omitempty"`
	City        string `json:"city,omitempty"`
	// CoOrganizers translate the event's co-organizers by position: entry i
	// names CoOrganizers[i]; an empty entry, or a missing one, falls back.
	CoOrganizers []string `json:"co_organizers,omitempty"`
}

// IsZero reports whether t says nothing, so storing it would be noise.
func (t EventText) IsZero() bool {
	return t.Title == "" && t.Description == "" && t.Venue == "" && t.City == "" &&
		!slices.ContainsFunc(t.CoOrganizers, func(s string) bool { return s != "" })
}

// EventTranslations are an event's texts by language code (en, ru, uz).
type EventTranslations map[string]EventText

// In returns a copy of e whose texts are in lang where a translation gives
// them, and the main text elsewhere. Pages, emails, calendar files and
// exports show an event through In(reader's language). An unknown or
// untranslated language returns the main text.
func (e *Event) In(lang string) *Event {
	out := *e
	tr, ok := e.Translations[lang]
	if !ok {
		return &out
	}
	pick := func(translated, main string) string {
		if translated != "" {
			return translated
		}
		return main
	}
	out.Title = pick(tr.Title, e.Title)
	out.Description = pick(tr.Description, e.Description)
	out.Venue = pick(tr.Venue, e.Venue)
	out.City = pick(tr.City, e.City)
	out.CoOrganizers = make([]string, len(e.CoOrganizers))
	for i, name := range e.CoOrganizers {
		if i < len(tr.CoOrganizers) {
			name = pick(tr.CoOrganizers[i], name)
		}
		out.CoOrganizers[i] = name
	}
	return &out
}

// mergeTranslations applies a translations member of a request to ev: each
// language sent replaces that language's text, and null (or a text with
// nothing in it) removes it; languages not sent are left alone.
func mergeTranslations(ev *Event, sent map[string]*EventText) []FieldError {
	var fields []FieldError
	next := EventTranslations{}
	for lang, t := range ev.Translations {
		next[lang] = t
	}
	for _, lang := range slices.Sorted(maps.Keys(sent)) {
		if !slices.Contains(Languages, lang) {
			fields = append(fields, FieldError{Field: "translations." + lang, Code: "oneof", Param: "en ru uz",
				Message: fmt.Sprintf("Translations may be given for en, ru and uz only, not %q.", lang)})
			continue
		}
		t := sent[lang]
		if t == nil {
			delete(next, lang)
			continue
		}
		clean := EventText{Title: CleanText(t.Title), Description: CleanText(t.Description),
			Venue: CleanText(t.Venue), City: CleanText(t.City)}
		for _, s := range t.CoOrganizers {
			clean.CoOrganizers = append(clean.CoOrganizers, CleanText(s))
		}
		// Trailing empty entries say nothing; dropping them lets a form
		// send one box per co-organizer whether filled or not.
		for len(clean.CoOrganizers) > 0 && clean.CoOrganizers[len(clean.CoOrganizers)-1] == "" {
			clean.CoOrganizers = clean.CoOrganizers[:len(clean.CoOrganizers)-1]
		}
		if clean.IsZero() {
			delete(next, lang)
			continue
		}
		next[lang] = clean
	}
	ev.Translations = next
	return fields
}

// validateTranslations applies the main text's limits to every language.
// Field names are "translations.<lang>.<field>", as the dashboard's form
// names its inputs, so errors show next to the right box.
func validateTranslations(ev *Event) []FieldError {
	var fields []FieldError
	for _, lang := range slices.Sorted(maps.Keys(ev.Translations)) {
		t := ev.Translations[lang]
		prefix := "translations." + lang + "."
		text := func(name, value string, limit int, oneLine bool) {
			switch {
			case len([]rune(value)) > limit:
				fields = append(fields, translationError(prefix+name, name, lang, "max", strconv.Itoa(limit)))
			case oneLine && HasControl(value):
				fields = append(fields, translationError(prefix+name, name, lang, "nocontrol", ""))
			}
		}
		text("title", t.Title, 200, true)
		text("description", t.Description, 10000, false)
		text("venue", t.Venue, 200, true)
		text("city", t.City, 100, true)
		if len(t.CoOrganizers) > len(ev.CoOrganizers) {
			fields = append(fields, FieldError{Field: prefix + "co_organizers", Code: "max", Param: strconv.Itoa(len(ev.CoOrganizers)),
				Message: fmt.Sprintf("Co-organizers (%s) must have at most %d entries, one per co-organizer.", lang, len(ev.CoOrganizers))})
		}
		for i, name := range t.CoOrganizers {
			text("co_organizers["+strconv.Itoa(i)+"]", name, 200, true)
		}
	}
	return fields
}

// translationError is fieldError for a translated field: the message names
// the field and the language ("Title (ru) must be …").
func translationError(field, base, lang, code, param string) FieldError {
	fe := fieldError(base, code, param)
	fe.Field = field
	label := Label(base)
	fe.Message = label + " (" + lang + ")" + fe.Message[len(label):]
	return fe
}
