package domain

import (
	"strconv"
	"strings"
)

// ListQuery is the view of an event's registrations an organizer asks for:
// the list's filters and its page, by the names the API's query and the
// dashboard's filter form give them (status, country, q, cursor, limit).
// The same checks serve the JSON list, its export and the dashboard.
type ListQuery struct {
	Status  string // one status, or "" for all
	Country string // ISO 3166-1 code in upper case, or "" for all
	Search  string // text to find in names, emails and organizations
	Cursor  string // where the page starts, "" for the first; the store makes and reads it
	Limit   int    // registrations on a page
}

// Sizes of the registration list.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
	MaxSearch       = 200 // characters of a search
)

// ParseListQuery reads and checks a list's query, get giving each
// parameter by its name ("" when it is absent), and names every bad one at
// once. checkCursor checks a cursor's form, which only the store knows: it
// returns the validation error that names the cursor, or nil.
func ParseListQuery(get func(name string) string, checkCursor func(string) error) (ListQuery, error) {
	q := ListQuery{
		Status:  strings.TrimSpace(get("status")),
		Country: strings.ToUpper(strings.TrimSpace(get("country"))),
		Search:  strings.TrimSpace(get("q")),
		Cursor:  get("cursor"),
		Limit:   DefaultPageSize,
	}
	var fields []FieldError
	fields = pageLimit(get("limit"), &q.Limit, fields)
	if q.Status != "" && !ValidStatus(q.Status) {
		fields = append(fields, NewFieldError("status", "oneof", oneOf(Statuses)))
	}
	if q.Country != "" && !ValidCountry(q.Country) {
		fields = append(fields, NewFieldError("country", "iso3166", ""))
	}
	if len([]rune(q.Search)) > MaxSearch || HasControl(q.Search) {
		fields = append(fields, FieldError{Field: "q", Code: "max", Param: strconv.Itoa(MaxSearch),
			Message: "The search text must be at most 200 characters, without control characters."})
	}
	if q.Cursor != "" {
		if err := checkCursor(q.Cursor); err != nil {
			e, ok := AsError(err)
			if !ok || e.Code != EInvalid {
				return q, err
			}
			fields = append(fields, e.Fields...)
		}
	}
	return q, ValidationError(fields)
}

// AnswerFilters reads the list's answer filters, each "key:value": the key
// of a question answered by choosing and one of its options' values (yes
// or no for a yes_no question), as the store's filter takes them (key →
// value to find in the answer). Empty values are ignored (a filter form's
// "any" choice); a filter the questions do not allow is an error on
// "answer".
func (qs Questions) AnswerFilters(values []string) (map[string]any, []FieldError) {
	out := map[string]any{}
	var fields []FieldError
	for _, raw := range values {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		key, value, _ := strings.Cut(raw, ":")
		q, ok := qs.Find(key)
		v, valid := q.FilterValue(value)
		if !ok || !valid {
			fields = append(fields, FieldError{Field: "answer", Code: "answer", Param: raw,
				Message: "Answer filters take the form key:value, the key of a choice or yes/no question and one of its values."})
			continue
		}
		out[key] = v
	}
	return out, fields
}

// pageLimit reads a list's limit parameter v into *limit, which keeps its
// default when v is empty; a v that is not a whole number from 1 to
// MaxPageSize is named in the fields returned instead.
func pageLimit(v string, limit *int, fields []FieldError) []FieldError {
	if v == "" {
		return fields
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxPageSize {
		return append(fields, NewFieldError("limit", "range", "1-"+strconv.Itoa(MaxPageSize)))
	}
	*limit = n
	return fields
}

// oneOf is the param of a "oneof" field error: the allowed values, spaced.
func oneOf[T ~string](values []T) string {
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = string(v)
	}
	return strings.Join(names, " ")
}
