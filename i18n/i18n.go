// Translated messages for the public pages.
//
// Every sentence a page shows is a message in locales/active.<lang>.toml,
// read with github.com/nicksnyder/go-i18n: New loads the three files once,
// Bundle.Localizer(lang) gives the translator of one language, and
// Negotiate picks the language of a request. Validation errors are
// translated by their code (Localizer.FieldError), so the rules themselves
// stay in package domain; country names come from CLDR (countries.go).

package i18n

import (
	"embed"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"

	"github.com/attend/attend/domain"
)

// Supported lists the languages attend's pages and emails speak, in the
// order the language switcher shows them. English comes first: it is the
// default and the fallback for a missing message.
var Supported = domain.Languages

// DefaultLanguage is used when nothing else decides.
const DefaultLanguage = "en"

//go:embed locales/*.toml
var locales embed.FS

// Bundle holds every translated message and the country lists, loaded once
// at start-up from the embedded message files (locales/active.<lang>.toml).
// It is safe for concurrent use: nothing in it changes after New.
type Bundle struct {
	bundle     *goi18n.Bundle
	ids        map[string]map[string]bool // language → message ids in its file
	plural     map[string]map[string]bool // language → ids with plural forms
	localizers map[string]*Localizer
	countries  map[string][]Country
	// delegations name the international organizations participants
	// may represent (delegations.go).
	delegations *domain.Delegations
}

// Option adjusts a Bundle as New builds it.
type Option func(*Bundle)

// WithDelegations names the deployment's delegations (its organizations
// beside the built-in ones); without it the built-in ones are named.
func WithDelegations(d *domain.Delegations) Option {
	return func(b *Bundle) { b.delegations = d }
}

// New loads the embedded message files and builds the country lists. It
// fails when a file is missing or malformed, so a broken translation stops
// start-up instead of a request.
func New(opts ...Option) (*Bundle, error) {
	b := &Bundle{
		bundle:     goi18n.NewBundle(language.English),
		ids:        map[string]map[string]bool{},
		plural:     map[string]map[string]bool{},
		localizers: map[string]*Localizer{},
		countries:  map[string][]Country{},
	}
	for _, o := range opts {
		o(b)
	}
	if b.delegations == nil {
		b.delegations = domain.BuiltinDelegations()
	}
	b.bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, lang := range Supported {
		name := path.Join("locales", "active."+lang+".toml")
		mf, err := b.bundle.LoadMessageFileFS(locales, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: load %s: %w", name, err)
		}
		ids, plural := map[string]bool{}, map[string]bool{}
		for _, m := range mf.Messages {
			ids[m.ID] = true
			plural[m.ID] = m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != ""
		}
		b.ids[lang], b.plural[lang] = ids, plural
	}
	for _, lang := range Supported {
		// English is the fallback for a message missing in another file;
		// TestMessagesExistInEveryLanguage keeps that from happening.
		b.localizers[lang] = &Localizer{lang: lang, bundle: b, loc: goi18n.NewLocalizer(b.bundle, lang, DefaultLanguage)}
	}
	for _, lang := range Supported {
		list, err := b.buildCountries(lang)
		if err != nil {
			return nil, err
		}
		b.countries[lang] = list
	}
	return b, nil
}

// MessageIDs lists the ids defined in one language's message file, sorted.
func (b *Bundle) MessageIDs(lang string) []string {
	ids := make([]string, 0, len(b.ids[lang]))
	for id := range b.ids[lang] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Localizer returns the localizer of lang, or of English for a language
// attend does not speak.
func (b *Bundle) Localizer(lang string) *Localizer {
	if l, ok := b.localizers[lang]; ok {
		return l
	}
	return b.localizers[DefaultLanguage]
}

// Localizer translates into one language. Messages that take values use
// go-i18n's template syntax ({{.Name}}); the results are plain text, to be
// escaped by whatever renders them.
type Localizer struct {
	lang   string
	bundle *Bundle
	loc    *goi18n.Localizer
}

// Lang is the localizer's language code (en, ru or uz).
func (l *Localizer) Lang() string { return l.lang }

// Has reports whether id is a message of this language.
func (l *Localizer) Has(id string) bool { return l.bundle.ids[l.lang][id] }

// T translates the message id, filling in data. A message missing from every
// file comes out as its id, which tests catch, rather than failing a page.
func (l *Localizer) T(id string, data map[string]any) string {
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Plural translates a message with plural forms (one, few, many, other)
// chosen by count, which the message reads as {{.Count}}. A message without
// plural forms is translated as by T, with Count among its data.
func (l *Localizer) Plural(id string, count int, data map[string]any) string {
	d := map[string]any{"Count": count}
	for k, v := range data {
		d[k] = v
	}
	if !l.bundle.plural[l.lang][id] {
		return l.T(id, d)
	}
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: d, PluralCount: count})
	if err != nil {
		return id
	}
	return s
}

// LanguageName is a language's own name for itself ("Русский"), as language
// switchers show it whatever the page language.
func (l *Localizer) LanguageName(lang string) string {
	return l.bundle.Localizer(lang).T("language.native", nil)
}

// Role is the translated label of a registration role.
func (l *Localizer) Role(role string) string { return l.T("role."+role, nil) }

// Status is the translated label of a registration status.
func (l *Localizer) Status(s domain.Status) string { return l.T("status."+string(s), nil) }

// FieldLabel is the translated label of a form field. Indexed paths such as
// "days[1]" use their base name.
// A translated event text ("translations.ru.title") is labelled with its
// field and language: "Title (Русский)".
func (l *Localizer) FieldLabel(field string) string {
	if lang, sub, ok := translatedField(field); ok {
		return l.T("field.translated", map[string]any{"Field": l.T("field."+sub, nil), "Param": l.LanguageName(lang)})
	}
	return l.T("field."+messageBase(field), nil)
}

// messageBase is the field whose messages (label, errors) a field path
// uses: "days[1]" → "days", "translations.ru.title" → "title",
// "translations.de" → "translations".
func messageBase(field string) string {
	if _, sub, ok := translatedField(field); ok {
		return sub
	}
	if strings.HasPrefix(field, "translations.") {
		return "translations"
	}
	return FieldBase(field)
}

// translatedField splits "translations.ru.co_organizers[1]" into "ru" and
// "co_organizers".
func translatedField(field string) (lang, sub string, ok bool) {
	rest, ok := strings.CutPrefix(FieldBase(field), "translations.")
	if !ok {
		return "", "", false
	}
	return strings.Cut(rest, ".")
}

// FieldBase strips an index from a field path: "days[1]" → "days".
func FieldBase(field string) string {
	base, _, _ := strings.Cut(field, "[")
	return base
}

// FieldError translates a validation error by its code and parameter, never
// by its English message, so the rules stay in one place (package domain).
// A message for the field and code ("error.consent.accepted") wins over
// the one for the code alone ("error.accepted"); an unknown code reads
// "error.invalid".
func (l *Localizer) FieldError(fe domain.FieldError) string {
	base := messageBase(fe.Field)
	data := map[string]any{"Field": l.FieldLabel(fe.Field), "Param": fe.Param}
	ids := []string{"error." + base + "." + fe.Code, "error." + fe.Code}
	if strings.HasPrefix(base, "answers.") { // an answer to a question: answers.<key>
		ids = []string{"error.answers." + fe.Code, "error." + fe.Code}
	}
	for _, id := range ids {
		if !l.Has(id) {
			continue
		}
		if n, err := strconv.Atoi(fe.Param); err == nil && fe.Code == "max" {
			return l.Plural(id, n, data)
		}
		return l.T(id, data)
	}
	return l.T("error.invalid", data)
}

// matcher picks the best of Supported for an Accept-Language header.
var matcher = language.NewMatcher([]language.Tag{language.English, language.Russian, language.Uzbek})

// Match returns the supported language code that lang names ("ru",
// "RU", "ru-RU", "uz_Latn"), and false when attend does not speak it.
func Match(lang string) (string, bool) {
	base := strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(base, "-_"); i >= 0 {
		base = base[:i]
	}
	if slices.Contains(Supported, base) {
		return base, true
	}
	return "", false
}

// Negotiate chooses the page language: an explicit choice in the query
// (?lang=) first, then the one remembered in a cookie, then the browser's
// Accept-Language header, and English when none of them names a language
// attend speaks. Pages that know a better fallback than the browser's (the
// language a participant registered in) pass it as acceptLanguage.
func Negotiate(query, cookie, acceptLanguage string) string {
	if l, ok := Match(query); ok {
		return l
	}
	if l, ok := Match(cookie); ok {
		return l
	}
	if l, ok := MatchAcceptLanguage(acceptLanguage); ok {
		return l
	}
	return DefaultLanguage
}

// MatchAcceptLanguage returns the supported language an Accept-Language
// header prefers, and false when the header is absent, malformed or names
// no language attend speaks, so that the caller can try something else.
func MatchAcceptLanguage(header string) (string, bool) {
	if strings.TrimSpace(header) == "" {
		return "", false
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return "", false
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return "", false
	}
	return Supported[i], true
}
