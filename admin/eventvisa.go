package admin

import (
	"context"
	"net/url"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

// The event form's visa invitation letter settings (issue 17): a box that
// offers letters, the host institution, its address and the signatory,
// the host, its address and the signatory's title as a letter in English
// or Russian words them where they differ, and the letter's body in
// English and Russian (empty: the default).

// visaFormBox is the box that offers letters; unticked, the event offers
// none and the settings typed are not kept.
const visaFormBox = "visa_letters"

// visaFormFields are the settings' inputs, by form name, with their kind.
var visaFormFields = []struct{ name, kind string }{
	{"visa_letters.host_name", "text"}, {"visa_letters.host_address", "textarea"},
	{"visa_letters.signatory_name", "text"}, {"visa_letters.signatory_title", "text"},
	{"visa_letters.translations.en.host_name", "text"}, {"visa_letters.translations.en.host_address", "textarea"},
	{"visa_letters.translations.en.signatory_title", "text"},
	{"visa_letters.translations.ru.host_name", "text"}, {"visa_letters.translations.ru.host_address", "textarea"},
	{"visa_letters.translations.ru.signatory_title", "text"},
	{"visa_letters.templates.en", "textarea"}, {"visa_letters.templates.ru", "textarea"},
}

// visaLettersInput reads the settings from the form: nil (offers none)
// unless the box is ticked.
func visaLettersInput(form url.Values) domain.Optional[*domain.VisaLetters] {
	if !form.Has(visaFormBox) {
		return domain.Some[*domain.VisaLetters](nil)
	}
	v := &domain.VisaLetters{HostName: form.Get("visa_letters.host_name"), HostAddress: form.Get("visa_letters.host_address"),
		SignatoryName: form.Get("visa_letters.signatory_name"), SignatoryTitle: form.Get("visa_letters.signatory_title"),
		Templates: map[string]string{}}
	for _, lang := range domain.VisaLetterLanguages {
		if t := form.Get("visa_letters.templates." + lang); t != "" {
			v.Templates[lang] = t
		}
		prefix := "visa_letters.translations." + lang + "."
		t := domain.VisaTexts{HostName: form.Get(prefix + "host_name"), HostAddress: form.Get(prefix + "host_address"),
			SignatoryTitle: form.Get(prefix + "signatory_title")}
		if t != (domain.VisaTexts{}) {
			if v.Translations == nil {
				v.Translations = map[string]domain.VisaTexts{}
			}
			v.Translations[lang] = t
		}
	}
	return domain.Some(v)
}

// setVisaValues puts ev's settings into the form's values.
func setVisaValues(v url.Values, ev *domain.Event) {
	s := ev.VisaLetters
	if s == nil {
		return
	}
	v.Set(visaFormBox, "on")
	v.Set("visa_letters.host_name", s.HostName)
	v.Set("visa_letters.host_address", s.HostAddress)
	v.Set("visa_letters.signatory_name", s.SignatoryName)
	v.Set("visa_letters.signatory_title", s.SignatoryTitle)
	for lang, t := range s.Templates {
		v.Set("visa_letters.templates."+lang, t)
	}
	for lang, t := range s.Translations {
		prefix := "visa_letters.translations." + lang + "."
		v.Set(prefix+"host_name", t.HostName)
		v.Set(prefix+"host_address", t.HostAddress)
		v.Set(prefix+"signatory_title", t.SignatoryTitle)
	}
}

// addVisaFields adds the settings' inputs to the form page.
func (p *eventFormPage) addVisaFields() {
	p.Visa = p.Form.Has(visaFormBox, "on")
	for _, f := range visaFormFields {
		ff := p.Form.Field(f.name, f.kind)
		if f.kind == "textarea" {
			ff.Rows = "4"
		}
		p.VisaFields = append(p.VisaFields, ff)
	}
}

// visasOf reads the passport details of the list's registrations, when
// the event offers letters.
func (s *Admin) visasOf(ctx context.Context, ev *domain.Event, ids []string) (map[string]*domain.VisaDetails, error) {
	if ev.VisaLetters == nil {
		return nil, nil
	}
	return s.Store.VisasOf(ctx, ids)
}

// visaRow shows a participant's request for a letter in the list, with
// the passport number masked: the list is on screens at the desk.
func visaRow(row *adminRegRow, self string, reg *domain.Registration, visa *domain.VisaDetails, l *i18n.Localizer) {
	if visa == nil {
		return
	}
	row.Visa = l.T("admin.list.visa", map[string]any{"Param": visa.MaskedPassport(), "Field": l.Country(visa.Nationality)})
	if reg.Status == domain.StatusConfirmed {
		row.VisaLetter = self + "/registrations/" + url.PathEscape(reg.ID) + "/visa-letter.pdf"
	}
}
