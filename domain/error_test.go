package domain_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
)

func TestErrorCodeFindsWrappedDomainErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want domain.Code
	}{
		{"no error has no code", nil, ""},
		{"a plain error is internal", errors.New("boom"), domain.EInternal},
		{"a domain error has its code", domain.Errorf(domain.EConflict, "taken"), domain.EConflict},
		{"a wrapped domain error keeps its code", fmt.Errorf("store: x: %w", domain.ErrNotFound), domain.ENotFound},
		{"a validation error is invalid", domain.ValidationError([]domain.FieldError{domain.NewFieldError("email", "required", "")}), domain.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.ErrorCode(tt.err); got != tt.want {
				t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestErrorsIsMatchesByCode(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", domain.Errorf(domain.ENotFound, "no such event"))
	if !errors.Is(err, domain.ErrNotFound) {
		t.Error("errors.Is(not-found error, ErrNotFound) = false")
	}
	if errors.Is(err, domain.ErrUnauthorized) {
		t.Error("errors.Is(not-found error, ErrUnauthorized) = true")
	}
}

func TestValidationErrorIsNilWithoutFields(t *testing.T) {
	if err := domain.ValidationError(nil); err != nil {
		t.Errorf("ValidationError(nil) = %v, want nil", err)
	}
	err := domain.ValidationError([]domain.FieldError{domain.NewFieldError("email", "required", "")})
	if !strings.Contains(err.Error(), "1 field errors") {
		t.Errorf("Error() = %q, want it to count the fields", err)
	}
}

func TestLabelsNameFieldsInEnglish(t *testing.T) {
	tests := []struct{ field, want string }{
		{"first_name", "First name"},
		{"days[2]", "Days"},
		{"registration_opens_at", "Registration opening"},
		{"", "The input"},
		{"unknown_field", "unknown_field"},
	}
	for _, tt := range tests {
		if got := domain.Label(tt.field); got != tt.want {
			t.Errorf("Label(%q) = %q, want %q", tt.field, got, tt.want)
		}
	}
}

func TestCountries(t *testing.T) {
	for _, c := range []string{"UZ", "KZ", "KG", "AM", "AZ", "EE", "GE", "XK"} {
		if !domain.ValidCountry(c) {
			t.Errorf("ValidCountry(%q) = false", c)
		}
	}
	for _, c := range []string{"uz", "XX", "UZB", "", "U"} {
		if domain.ValidCountry(c) {
			t.Errorf("ValidCountry(%q) = true", c)
		}
	}
	if got := domain.CountryName("UZ"); got != "Uzbekistan" {
		t.Errorf("CountryName(UZ) = %q, want Uzbekistan", got)
	}
	if n := len(domain.CountryCodes()); n != 250 {
		t.Errorf("%d country codes, want 249 ISO 3166-1 codes plus XK", n)
	}
}

func TestNewOrganizer(t *testing.T) {
	o, err := domain.NewOrganizer("  Ada@Example.ORG ", " Ada Lovelace ")
	if err != nil {
		t.Fatalf("NewOrganizer: %v", err)
	}
	if o.Email != "ada@example.org" || o.Name != "Ada Lovelace" {
		t.Errorf("organizer = %q %q, want ada@example.org and Ada Lovelace", o.Email, o.Name)
	}
	tests := []struct {
		name, email, orgName string
		want                 map[string]string
	}{
		{"nothing at all", "", "", map[string]string{"email": "required", "name": "required"}},
		{"an invalid email", "ada.example.org", "Ada", map[string]string{"email": "email"}},
		{"an email with a display name", "Ada <ada@example.org>", "Ada", map[string]string{"email": "email"}},
		{"a name with a line break", "ada@example.org", "Ada\nLovelace", map[string]string{"name": "nocontrol"}},
		{"a name over 100 characters", "ada@example.org", strings.Repeat("a", 101), map[string]string{"name": "max"}},
		{"a name and an address with bytes that are not UTF-8", "\xff@example.org", "\xffBob", map[string]string{"email": "email", "name": "nocontrol"}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			_, err := domain.NewOrganizer(tt.email, tt.orgName)
			assertFields(t, err, tt.want)
		})
	}
}
