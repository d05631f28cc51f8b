package admin

import (
	"net/url"
	"slices"
	"strings"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
)

// formField is one input of a dashboard form, ready for the "admin-field"
// partial: its label, hint, error, and the value typed or stored.
type formField struct {
	ID, Name, Kind             string // Kind: an input type, "textarea" or "select"
	Label, Hint, HintID        string
	Error, ErrorID, ErrorLabel string
	Value                      string
	Required                   bool
	List                       string // the id of a datalist of suggestions
	Autocomplete               string
	Placeholder                string
	Options                    []httpcore.Option
	Min, Max, Rows             string
	Lang                       string // the language of the text typed, for translations
}

// DescribedBy is the field's aria-describedby: its hint and its error.
func (f formField) DescribedBy() string {
	return httpcore.DescribedBy(f.Hint, f.HintID, f.Error, f.ErrorID)
}

type summaryItem struct{ Href, Text string }

// form is a dashboard form's state: what was typed, the errors by field,
// and the summary at the top, in the page's language.
type form struct {
	l       *i18n.Localizer
	values  url.Values
	errors  map[string]string
	Summary []summaryItem
}

// newForm reads the errors of fields into messages in l's language. Every
// error goes into the summary, linked to its field, in the order of order
// (field names); errors of fields not in order come last, unlinked.
func newForm(l *i18n.Localizer, values url.Values, fields []domain.FieldError, order []string) *form {
	f := &form{l: l, values: values, errors: map[string]string{}}
	for _, fe := range fields {
		name := formName(fe.Field)
		if _, seen := f.errors[name]; !seen {
			f.errors[name] = l.FieldError(fe)
		}
	}
	done := map[string]bool{}
	for _, name := range order {
		if msg, ok := f.errors[name]; ok && !done[name] {
			done[name] = true
			f.Summary = append(f.Summary, summaryItem{Href: "#" + fieldID(name),
				Text: l.T("form.summary_item", map[string]any{"Field": l.FieldLabel(name), "Message": msg})})
		}
	}
	for _, fe := range fields {
		if name := formName(fe.Field); !done[name] {
			done[name] = true
			f.Summary = append(f.Summary, summaryItem{Text: l.T("form.summary_item",
				map[string]any{"Field": l.FieldLabel(fe.Field), "Message": f.errors[name]})})
		}
	}
	return f
}

// formName is the input a field error belongs to: an entry of a list
// ("co_organizers[2]") is its list's box.
func formName(field string) string { return i18n.FieldBase(field) }

// fieldID is an input's id: its name with the dots HTML ids allow but CSS
// selectors and fragment links trip over replaced.
func fieldID(name string) string { return strings.ReplaceAll(name, ".", "-") }

// autocomplete tells browsers what the inputs of the invitation form hold,
// so they offer to save the new password.
var autocomplete = map[string]string{"name": "name", "password": "new-password", "password_again": "new-password"}

// Field draws the input name, of the given kind.
func (f *form) Field(name, kind string) formField {
	ff := formField{ID: fieldID(name), Name: name, Kind: kind, Value: f.values.Get(name),
		Label: f.l.FieldLabel(name), Error: f.errors[name], Autocomplete: autocomplete[name]}
	if f.l.Has("field." + name + ".hint") {
		ff.Hint, ff.HintID = f.l.T("field."+name+".hint", nil), ff.ID+"-hint"
	}
	if ff.Error != "" {
		ff.ErrorID, ff.ErrorLabel = ff.ID+"-error", f.l.T("form.error_label", nil)
	}
	return ff
}

// T translates a message without values, for the partials a form is given to.
func (f *form) T(id string) string { return f.l.T(id, nil) }

// Error is the message of a field that the template draws by hand.
func (f *form) Error(name string) string { return f.errors[name] }

// Has reports whether a checkbox value is ticked.
func (f *form) Has(name, value string) bool { return slices.Contains(f.values[name], value) }
