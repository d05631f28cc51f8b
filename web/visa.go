package web

import (
	"net/url"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

// The visa invitation letter part of the registration form, on an event
// that offers letters: a box to tick and the passport details. Without
// JavaScript the fields are always shown, with a note that they are read
// only when the box is ticked.

// visaFields are the passport fields, in the order of the page, with the
// input type of each.
var visaFields = []struct{ name, kind string }{
	{"passport_name", "text"}, {"passport_number", "text"}, {"nationality", "select"},
	{"date_of_birth", "date"}, {"passport_expiry", "date"},
}

// visaFormBox is the box a participant ticks to ask for a letter.
const visaFormBox = "visa_needed"

// visaInput reads the passport details when the box is ticked on an event
// that offers letters; otherwise nil, whatever the fields hold.
func visaInput(form url.Values, ev *domain.Event) *domain.VisaInput {
	if ev.VisaLetters == nil || !form.Has(visaFormBox) {
		return nil
	}
	return &domain.VisaInput{PassportName: form.Get("visa.passport_name"), PassportNumber: form.Get("visa.passport_number"),
		Nationality: form.Get("visa.nationality"), DateOfBirth: form.Get("visa.date_of_birth"),
		PassportExpiry: form.Get("visa.passport_expiry")}
}

// visaForm is the form's visa part, or nil when the event offers no letters.
type visaForm struct {
	Checked bool
	Fields  []fieldView
}

// newVisaForm builds the visa part of f for ev, and adds its errors to the
// summary.
func (f *formView) newVisaForm(ev *domain.Event, countries []i18n.Country) *visaForm {
	if ev.VisaLetters == nil || f.Editing {
		return nil
	}
	v := &visaForm{Checked: f.values.Has(visaFormBox)}
	for _, vf := range visaFields {
		name := "visa." + vf.name
		fv := fieldView{ID: "visa-" + vf.name, Name: name, Kind: vf.kind, Autocomplete: "off",
			Label: f.l.T("field.visa."+vf.name, nil), HintID: "visa-" + vf.name + "-hint", ErrorID: "visa-" + vf.name + "-error",
			Error: f.errors[name], ErrorLabel: f.l.T("form.error_label", nil), Value: f.values.Get(name)}
		if f.l.Has("field.visa." + vf.name + ".hint") {
			fv.Hint = f.l.T("field.visa."+vf.name+".hint", nil)
		}
		if vf.kind == "select" {
			fv.Placeholder = f.l.T("field.country.choose", nil)
			fv.Options = selectOptions(countries, fv.Value, func(c i18n.Country) (string, string) { return c.Code, c.Name })
		}
		if fv.Error != "" {
			f.Summary = append(f.Summary, summaryItem{Href: "#" + fv.ID,
				Text: f.l.T("form.summary_item", map[string]any{"Field": fv.Label, "Message": fv.Error})})
		}
		v.Fields = append(v.Fields, fv)
	}
	return v
}
