package domain

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Visa invitation letters (issue 17). An event may offer them: its
// organizers name the host institution, its address and the signatory, and
// may word the letter per language. A participant who needs a visa gives
// the passport details below; once their registration is confirmed (and so
// approved, on an event that requires approval) they download the letter.
// The details are personal data: kept apart from the registration, erased
// with the person, left out of exports unless asked for, and masked in the
// dashboard.

// VisaLetterLanguages are the languages a letter can be written in.
var VisaLetterLanguages = []string{"en", "ru"}

// VisaLetters are an event's settings for visa invitation letters; an
// event without them (nil) offers none.
type VisaLetters struct {
	HostName       string `json:"host_name"`
	HostAddress    string `json:"host_address"`
	SignatoryName  string `json:"signatory_name"`
	SignatoryTitle string `json:"signatory_title"`
	// Templates are the letter's body by language (en, ru), with the
	// placeholders of VisaPlaceholders; a language left out uses
	// DefaultVisaTemplate.
	Templates map[string]string `json:"templates"`
	// Translations are the host's name and address and the signatory's
	// title in a language (en, ru) of the letter, where they differ from
	// the fields above (which a language without them uses): a Russian
	// letter then names the host in Russian.
	Translations map[string]VisaTexts `json:"translations,omitempty"`
}

// VisaTexts are the settings a letter words in its own language; an
// empty one is the VisaLetters' own.
type VisaTexts struct {
	HostName       string `json:"host_name,omitempty"`
	HostAddress    string `json:"host_address,omitempty"`
	SignatoryTitle string `json:"signatory_title,omitempty"`
}

// In is v as a letter in lang shows it: the host's name and address and
// the signatory's title in lang where given.
func (v *VisaLetters) In(lang string) *VisaLetters {
	c := *v
	t := v.Translations[lang]
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&c.HostName, t.HostName}, {&c.HostAddress, t.HostAddress}, {&c.SignatoryTitle, t.SignatoryTitle},
	} {
		if strings.TrimSpace(f.src) != "" {
			*f.dst = f.src
		}
	}
	return &c
}

// Template is the letter's body in lang: the organizers' wording, or the
// default.
func (v *VisaLetters) Template(lang string) string {
	if t := strings.TrimSpace(v.Templates[lang]); t != "" {
		return t
	}
	return DefaultVisaTemplate(lang)
}

// VisaPlaceholders are the names a template may use, each written
// {{name}}.
var VisaPlaceholders = []string{"name", "passport_number", "nationality", "date_of_birth", "passport_expiry",
	"event", "dates", "venue", "city", "host"}

// DefaultVisaTemplate is the letter's body when the organizers give none.
func DefaultVisaTemplate(lang string) string {
	if lang == "ru" {
		return "Настоящим {{host}} приглашает {{name}}, гражданина (гражданку) страны {{nationality}}, " +
			"дата рождения {{date_of_birth}}, паспорт № {{passport_number}} (действителен до {{passport_expiry}}), " +
			"принять участие в мероприятии «{{event}}», которое состоится {{dates}} в городе {{city}} ({{venue}}).\n\n" +
			"Просим оказать содействие в получении въездной визы на срок проведения мероприятия. " +
			"Принимающая сторона подтверждает, что участник зарегистрирован на мероприятие."
	}
	return "{{host}} hereby invites {{name}}, a national of {{nationality}}, born on {{date_of_birth}}, " +
		"holder of passport No. {{passport_number}} (valid until {{passport_expiry}}), to take part in " +
		"{{event}}, to be held on {{dates}} in {{city}} ({{venue}}).\n\n" +
		"We kindly ask you to issue an entry visa for the duration of the event. " +
		"The host confirms that the participant is registered for the event."
}

// placeholder is a {{name}} in a template, spaces inside allowed so that
// "{{ nmae }}" is caught too.
var placeholder = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// UnknownVisaPlaceholder is the first placeholder of tmpl that is not one
// of VisaPlaceholders, written as in the template ("{{nonsense}}"), or "":
// a letter must not print a placeholder as it was typed.
func UnknownVisaPlaceholder(tmpl string) string {
	for _, m := range placeholder.FindAllStringSubmatch(tmpl, -1) {
		if !slices.Contains(VisaPlaceholders, m[1]) || m[0] != "{{"+m[1]+"}}" {
			return m[0]
		}
	}
	return ""
}

// FillVisaTemplate puts values in place of the template's placeholders;
// a placeholder without a value is left as written.
func FillVisaTemplate(tmpl string, values map[string]string) string {
	pairs := make([]string, 0, 2*len(values))
	for k, v := range values {
		pairs = append(pairs, "{{"+k+"}}", v)
	}
	return strings.NewReplacer(pairs...).Replace(tmpl)
}

// Limits of the settings' texts, in characters.
const (
	maxVisaLine     = 200
	maxVisaAddress  = 500
	maxVisaTemplate = 5000
)

// CheckVisaLetters cleans v in place and validates it; errors name
// visa_letters.<field>.
func CheckVisaLetters(v *VisaLetters) []FieldError {
	var fields []FieldError
	line := func(name string, s *string, limit int, required bool) {
		*s = CleanText(strings.ReplaceAll(*s, "\r\n", "\n"))
		multiline := limit > maxVisaLine // the address and the templates keep their line breaks
		text := *s
		if multiline {
			text = strings.ReplaceAll(text, "\n", " ")
		}
		switch {
		case required && *s == "":
			fields = append(fields, NewFieldError("visa_letters."+name, "required", ""))
		case utf8.RuneCountInString(*s) > limit:
			fields = append(fields, NewFieldError("visa_letters."+name, "max", strconv.Itoa(limit)))
		case HasControl(text):
			fields = append(fields, NewFieldError("visa_letters."+name, "nocontrol", ""))
		}
	}
	line("host_name", &v.HostName, maxVisaLine, true)
	line("host_address", &v.HostAddress, maxVisaAddress, true)
	line("signatory_name", &v.SignatoryName, maxVisaLine, true)
	line("signatory_title", &v.SignatoryTitle, maxVisaLine, false)
	for lang, t := range v.Templates {
		if !slices.Contains(VisaLetterLanguages, lang) {
			fields = append(fields, NewFieldError("visa_letters.templates."+lang, "oneof", "en ru"))
			continue
		}
		line("templates."+lang, &t, maxVisaTemplate, false)
		v.Templates[lang] = t
		if bad := UnknownVisaPlaceholder(t); bad != "" {
			fields = append(fields, NewFieldError("visa_letters.templates."+lang, "placeholder", bad))
		}
	}
	for lang, t := range v.Translations {
		if !slices.Contains(VisaLetterLanguages, lang) {
			fields = append(fields, NewFieldError("visa_letters.translations."+lang, "oneof", "en ru"))
			continue
		}
		prefix := "translations." + lang + "."
		line(prefix+"host_name", &t.HostName, maxVisaLine, false)
		line(prefix+"host_address", &t.HostAddress, maxVisaAddress, false)
		line(prefix+"signatory_title", &t.SignatoryTitle, maxVisaLine, false)
		if t == (VisaTexts{}) {
			delete(v.Translations, lang)
		} else {
			v.Translations[lang] = t
		}
	}
	return fields
}

// VisaDetails are the passport details of a participant who asked for a
// visa invitation letter.
type VisaDetails struct {
	PassportName   string `json:"passport_name" db:"passport_name"`
	PassportNumber string `json:"passport_number" db:"passport_number"`
	Nationality    string `json:"nationality" db:"nationality"` // ISO 3166-1 alpha-2
	DateOfBirth    Date   `json:"date_of_birth" db:"date_of_birth"`
	PassportExpiry Date   `json:"passport_expiry" db:"passport_expiry"`
}

// MaskedPassport is the passport number as the dashboard shows it: its
// last four characters.
func (v *VisaDetails) MaskedPassport() string {
	r := []rune(v.PassportNumber)
	if len(r) <= 4 {
		return strings.Repeat("•", len(r))
	}
	return "••••" + string(r[len(r)-4:])
}

// VisaInput is what a participant sends to ask for a letter (the
// registration's "visa" member; on the form, the fields visa.*).
type VisaInput struct {
	PassportName   string `json:"passport_name"`
	PassportNumber string `json:"passport_number"`
	Nationality    string `json:"nationality"`
	DateOfBirth    string `json:"date_of_birth"`
	PassportExpiry string `json:"passport_expiry"`
}

// visaMessages are the English sentences of the visa fields' errors.
var visaMessages = map[string]string{
	"passport_name.required":   "Passport name is required.",
	"passport_name.latin":      "Passport name must be written in Latin letters, as in the passport (at most 100 characters).",
	"passport_number.passport": "Passport number must be 5 to 20 letters and digits.",
	"nationality.iso3166":      "Nationality must be an ISO 3166-1 alpha-2 country code, such as UZ.",
	"date_of_birth.date":       "Date of birth must be a date in the form YYYY-MM-DD.",
	"date_of_birth.past":       "Date of birth must be in the past.",
	"passport_expiry.date":     "Passport expiry must be a date in the form YYYY-MM-DD.",
	"passport_expiry.after":    "The passport must be valid after the event ends.",
}

// passportNumber is what passports print: letters and digits, 5 to 20
// of them (spaces and hyphens people type are dropped first).
var passportNumber = regexp.MustCompile(`^[A-Z0-9]{5,20}$`)

// CheckVisa validates a request for a letter for ev, made at now: the
// passport name in Latin letters, a passport number, a nationality from the
// country list, a date of birth in the past and a passport that is still
// valid after the event ends. Errors name visa.<field>.
func CheckVisa(in VisaInput, ev *Event, now time.Time) (*VisaDetails, []FieldError) {
	var fields []FieldError
	bad := func(name, code, param string) {
		fe := NewFieldError("visa."+name, code, param)
		if msg, ok := visaMessages[name+"."+code]; ok {
			fe.Message = msg
		}
		fields = append(fields, fe)
	}
	v := &VisaDetails{
		PassportName:   CleanText(in.PassportName),
		PassportNumber: strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(CleanText(in.PassportNumber))),
		Nationality:    strings.ToUpper(strings.TrimSpace(in.Nationality)),
	}
	switch {
	case v.PassportName == "":
		bad("passport_name", "required", "")
	case utf8.RuneCountInString(v.PassportName) > 100 || !latinName(v.PassportName):
		bad("passport_name", "latin", "")
	}
	if !passportNumber.MatchString(v.PassportNumber) {
		bad("passport_number", "passport", "")
	}
	if !ValidCountry(v.Nationality) {
		bad("nationality", "iso3166", "")
	}
	today := DateOf(now.In(ev.Location()))
	if d, err := ParseDate(strings.TrimSpace(in.DateOfBirth)); err != nil {
		bad("date_of_birth", "date", "")
	} else if !d.Before(today) || d.Before(today.AddDays(-120*366)) {
		bad("date_of_birth", "past", "")
	} else {
		v.DateOfBirth = d
	}
	if d, err := ParseDate(strings.TrimSpace(in.PassportExpiry)); err != nil {
		bad("passport_expiry", "date", "")
	} else if !d.After(ev.EndsOn) {
		bad("passport_expiry", "after", "ends_on")
	} else {
		v.PassportExpiry = d
	}
	if len(fields) > 0 {
		return nil, fields
	}
	return v, nil
}

// latinName reports whether s is written in Latin letters (with the
// apostrophes, hyphens, dots and spaces of names), as passports print it.
func latinName(s string) bool {
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r == ' ', r == '-', r == '\'', r == '.', r == 'ʻ', r == 'ʼ', r == '’':
		default:
			return false
		}
	}
	return true
}
