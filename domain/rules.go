package domain

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"golang.org/x/text/unicode/norm"
)

// Rules validates input for every front end. It wraps one configured
// validator instance, built once at start-up and safe for concurrent use.
type Rules struct {
	v           *validator.Validate
	delegations *Delegations
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

var clockPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// e164Pattern is an international number: "+", a country code that does not
// start with 0, and at most 15 digits in all.
var e164Pattern = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// NewRules builds the validator with attend's custom tags, for a deployment
// with the built-in delegations.
func NewRules() *Rules { return NewRulesWith(BuiltinDelegations()) }

// Delegations are the delegations participants may represent.
func (r *Rules) Delegations() *Delegations { return r.delegations }

// NewRulesWith is NewRules for a deployment that knows the delegations d
// (nil: the built-in ones).
func NewRulesWith(d *Delegations) *Rules {
	if d == nil {
		d = BuiltinDelegations()
	}
	v := validator.New(validator.WithRequiredStructEnabled())
	// Report JSON names, never Go field names.
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	mustRegister(v, "iso3166", func(fl validator.FieldLevel) bool {
		return ValidCountry(fl.Field().String())
	})
	mustRegister(v, "nocontrol", func(fl validator.FieldLevel) bool {
		return !HasControl(fl.Field().String())
	})
	mustRegister(v, "accepted", func(fl validator.FieldLevel) bool {
		return fl.Field().Kind() == reflect.Bool && fl.Field().Bool()
	})
	mustRegister(v, "slug", func(fl validator.FieldLevel) bool {
		return slugPattern.MatchString(fl.Field().String())
	})
	mustRegister(v, "iana_tz", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		if s == "" || s == "Local" {
			return false
		}
		_, err := time.LoadLocation(s)
		return err == nil
	})
	// validator's own e164 makes the "+" optional, which lets a local number
	// such as 711234567 pass as international; ours requires it.
	mustRegister(v, "e164", func(fl validator.FieldLevel) bool {
		return e164Pattern.MatchString(fl.Field().String())
	})
	// Two-digit hours only, so that times compare correctly as text.
	mustRegister(v, "clock", func(fl validator.FieldLevel) bool {
		return clockPattern.MatchString(fl.Field().String())
	})
	mustRegister(v, "latin", func(fl validator.FieldLevel) bool {
		return LatinScript(fl.Field().String())
	})
	return &Rules{v: v, delegations: d}
}

// LatinScript reports whether a name is written in the Latin script, as
// passports print names: Latin letters (with their accents), spaces,
// hyphens, apostrophes and full stops.
func LatinScript(s string) bool {
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Latin, r), unicode.Is(unicode.Mn, r):
		case strings.ContainsRune(" -'’ʼʻ.", r):
		default:
			return false
		}
	}
	return true
}

func mustRegister(v *validator.Validate, tag string, fn validator.Func) {
	// Registration only fails for programming errors (empty tag), so a panic
	// at start-up is the right answer.
	if err := v.RegisterValidation(tag, fn); err != nil {
		panic(fmt.Sprintf("domain: register %s: %v", tag, err))
	}
}

// HasControl reports whether s holds control characters (including line
// breaks and tabs), which have no place in names and would let a value add
// a header to an email.
func HasControl(s string) bool {
	// Bytes that are not UTF-8 (a form or a path is not decoded as JSON,
	// which would replace them) count too: PostgreSQL refuses them.
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// CleanText trims surrounding space and normalizes to NFC, so that the same
// name typed on different keyboards is stored the same way.
func CleanText(s string) string {
	return norm.NFC.String(strings.TrimSpace(s))
}

// validate runs the struct tags and turns failures into FieldErrors.
func (r *Rules) validate(s any) []FieldError {
	err := r.v.Struct(s)
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return []FieldError{{Field: "", Code: "invalid", Message: err.Error()}}
	}
	out := make([]FieldError, 0, len(ves))
	for _, fe := range ves {
		e := fieldError(fieldPath(fe), fe.Tag(), fe.Param())
		// For numbers, max and min bound the value, not its length.
		if k := fe.Kind(); k >= reflect.Int && k <= reflect.Float64 && (fe.Tag() == "max" || fe.Tag() == "min") {
			word := map[string]string{"max": "at most", "min": "at least"}[fe.Tag()]
			e.Message = fmt.Sprintf("%s must be %s %s.", Label(e.Field), word, fe.Param())
		}
		if fe.Kind() == reflect.Slice && (fe.Tag() == "max" || fe.Tag() == "min") {
			word := map[string]string{"max": "at most", "min": "at least"}[fe.Tag()]
			e.Message = fmt.Sprintf("%s must have %s %s entries.", Label(e.Field), word, fe.Param())
		}
		out = append(out, e)
	}
	return out
}

// fieldPath turns validator's namespace ("RegistrationInput.days[1]") into
// the JSON path a client sent ("days[1]").
func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return fe.Field()
}

// fieldError builds a FieldError with an English sentence. Other languages
// translate by Code and Param; the sentence is the API's default.
func fieldError(field, code, param string) FieldError {
	label := Label(field)
	var msg string
	switch code {
	case "required":
		msg = label + " is required."
	case "email":
		msg = label + " must be a valid email address."
	case "iso3166":
		msg = label + " must be an ISO 3166-1 alpha-2 country code, such as UZ."
	case "oneof":
		msg = label + " must be one of: " + strings.ReplaceAll(param, " ", ", ") + "."
	case "max":
		msg = fmt.Sprintf("%s must be at most %s characters long.", label, param)
	case "min":
		msg = fmt.Sprintf("%s must be at least %s.", label, param)
	case "e164":
		msg = label + " must be an international number in E.164 form, such as +998712345678."
	case "nocontrol":
		msg = label + " must not contain control characters or line breaks."
	case "accepted":
		msg = "You must agree to the processing of your data to register."
	case "slug":
		msg = label + " may contain only lower-case letters, digits and single hyphens."
	case "iana_tz":
		msg = label + " must be an IANA time zone name, such as Asia/Tashkent."
	case "clock":
		msg = label + " must be a time of day in the form HH:MM."
	case "unique":
		msg = label + " must not repeat a value."
	case "date":
		msg = label + " must be a date in the form YYYY-MM-DD."
	case "datetime":
		msg = label + " must be an RFC 3339 timestamp, such as 2019-05-01T09:00:00+05:00."
	case "day":
		msg = label + " must be one of the event's dates."
	case "after":
		msg = label + " must be after " + Label(param) + "."
	case "range":
		lo, hi, _ := strings.Cut(param, "-")
		msg = label + " must be a whole number from " + lo + " to " + hi + "."
	case "type":
		msg = label + " has the wrong type: expected " + param + "."
	case "readonly":
		msg = label + " cannot be changed."
	case "reserved":
		msg = label + " is reserved for attend's own pages; choose another one."
	case "null":
		msg = label + " cannot be null."
	case "latin":
		msg = label + " must be written in Latin letters, as in the passport."
	case "delegation":
		msg = label + " must be an ISO 3166-1 alpha-2 country code or the code of an international organization (see /api/v1/delegations)."
	case "unknown":
		msg = label + " is not known."
	case "utf8":
		msg = label + " holds bytes that are not UTF-8 text."
	case "placeholder":
		msg = label + " uses the unknown placeholder " + param + "; the placeholders are {{" + strings.Join(VisaPlaceholders, "}}, {{") + "}}."
	default:
		msg = label + " is invalid."
	}
	return FieldError{Field: field, Code: code, Param: param, Message: msg}
}

// NewFieldError builds a FieldError with its English sentence, for checks
// that struct tags cannot express.
func NewFieldError(field, code, param string) FieldError { return fieldError(field, code, param) }

var labels = map[string]string{
	"first_name": "First name", "last_name": "Last name", "email": "Email",
	"country": "Country", "organization": "Organization", "position": "Position",
	"role": "Role", "consent": "Consent", "phone": "Phone", "language": "Language",
	"days": "Days", "slug": "Slug", "title": "Title", "description": "Description",
	"venue": "Venue", "city": "City", "timezone": "Time zone", "starts_on": "Start date",
	"ends_on": "End date", "capacity": "Capacity", "registration_opens_at": "Registration opening",
	"registration_closes_at": "Registration closing", "co_organizers": "Co-organizers",
	"languages": "Languages", "day_starts_at": "Day start time", "day_ends_at": "Day end time",
	"published": "Published", "confirm_within_hours": "Confirmation period",
	"reminder_days_before": "Reminder days", "name": "Name", "day": "Day", "token": "Token",
	"code": "Check-in code", "registration_id": "Registration id", "password": "Password", "retention_days": "Retention period", "message": "Message",
	"delegation": "Delegation", "latin_first_name": "First name in Latin letters",
	"latin_last_name": "Last name in Latin letters", "questions": "Questions", "answers": "Answers",
	"status": "Status", "limit": "Limit", "q": "Search text", "cursor": "Cursor", "format": "Format", "lang": "Lang",
}

// Label is the English label of a JSON field ("first_name" → "First name").
// Indexed paths ("days[1]") use their base name.
func Label(field string) string {
	base, _, _ := strings.Cut(field, "[")
	if l, ok := labels[base]; ok {
		return l
	}
	if base == "" {
		return "The input"
	}
	return base
}
