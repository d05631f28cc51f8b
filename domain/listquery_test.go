package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
)

// badCursor is the store's answer to a cursor it did not issue.
var badCursor = domain.ValidationError([]domain.FieldError{{Field: "cursor", Code: "invalid", Message: "Cursor is not one this server issued."}})

func checkCursor(c string) error {
	if c == "issued" {
		return nil
	}
	return badCursor
}

func TestParseListQuery(t *testing.T) {
	tests := []struct {
		name   string
		query  map[string]string
		want   domain.ListQuery
		fields []string // field:code:message of each error, in order
	}{
		{name: "nothing asked is the first page of everyone",
			want: domain.ListQuery{Limit: domain.DefaultPageSize}},
		{name: "filters are cleaned",
			query: map[string]string{"status": " waitlisted ", "country": " uz", "q": "  Tashkent ", "cursor": "issued", "limit": "200"},
			want:  domain.ListQuery{Status: "waitlisted", Country: "UZ", Search: "Tashkent", Cursor: "issued", Limit: 200}},
		{name: "every bad parameter is named at once, in the API's words",
			query: map[string]string{"limit": "201", "status": "gone", "country": "XX", "q": strings.Repeat("a", 201), "cursor": "forged"},
			fields: []string{
				"limit:range:Limit must be a whole number from 1 to 200.",
				"status:oneof:Status must be one of: pending, confirmed, waitlisted, awaiting_approval, cancelled, expired, rejected.",
				"country:iso3166:Country must be an ISO 3166-1 alpha-2 country code, such as UZ.",
				"q:max:The search text must be at most 200 characters, without control characters.",
				"cursor:invalid:Cursor is not one this server issued.",
			}},
		{name: "a limit that is not a number", query: map[string]string{"limit": "ten"},
			fields: []string{"limit:range:Limit must be a whole number from 1 to 200."}},
		{name: "a limit below one", query: map[string]string{"limit": "0"},
			fields: []string{"limit:range:Limit must be a whole number from 1 to 200."}},
		{name: "a search with a line break", query: map[string]string{"q": "a\nb"},
			fields: []string{"q:max:The search text must be at most 200 characters, without control characters."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.ParseListQuery(func(k string) string { return tt.query[k] }, checkCursor)
			if len(tt.fields) == 0 {
				if err != nil || got != tt.want {
					t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			e, ok := domain.AsError(err)
			if !ok || e.Code != domain.EInvalid {
				t.Fatalf("error %v, want a validation error", err)
			}
			var fields []string
			for _, f := range e.Fields {
				fields = append(fields, f.Field+":"+f.Code+":"+f.Message)
			}
			if strings.Join(fields, "\n") != strings.Join(tt.fields, "\n") {
				t.Errorf("fields\n%s\nwant\n%s", strings.Join(fields, "\n"), strings.Join(tt.fields, "\n"))
			}
		})
	}
}

func TestParseListQueryPassesOnACursorCheckThatBroke(t *testing.T) {
	broken := errors.New("the cursor could not be checked")
	_, err := domain.ParseListQuery(func(k string) string { return map[string]string{"cursor": "x"}[k] },
		func(string) error { return broken })
	if !errors.Is(err, broken) {
		t.Errorf("error %v, want the checker's", err)
	}
}
