package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

var registeredAt = time.Date(2019, time.May, 15, 10, 0, 0, 0, time.UTC)

func TestNewRegistrationReportsEveryMissingFieldAtOnce(t *testing.T) {
	rules := domain.NewRules()
	_, err := rules.NewRegistration(domain.RegistrationInput{}, workshop(), registeredAt)
	assertFields(t, err, map[string]string{
		"first_name":   "required",
		"last_name":    "required",
		"email":        "required",
		"country":      "required",
		"organization": "required",
		"role":         "required",
		"consent":      "required",
	})
}

func TestNewRegistrationReportsEveryWrongFieldAtOnce(t *testing.T) {
	rules := domain.NewRules()
	in := domain.RegistrationInput{
		FirstName:    strings.Repeat("a", 101),
		LastName:     "Yusupova\nBcc: victim@example.org",
		Email:        "not-an-email",
		Country:      "Uzbekistan",
		Organization: "CERR",
		Position:     strings.Repeat("p", 201),
		Role:         "boss",
		Phone:        "call me",
		Language:     "de",
		Days:         []string{"30.05.2019", "2019-06-02"},
		Consent:      ptr(false),
	}
	_, err := rules.NewRegistration(in, workshop(), registeredAt)
	assertFields(t, err, map[string]string{
		"first_name": "max",
		"last_name":  "nocontrol",
		"email":      "email",
		"country":    "iso3166",
		"position":   "max",
		"role":       "oneof",
		"phone":      "e164",
		"language":   "oneof",
		"days[0]":    "date",
		"days[1]":    "day",
		"consent":    "accepted",
	})
}

func TestNewRegistrationFieldErrorsCarryParamsAndSentences(t *testing.T) {
	rules := domain.NewRules()
	in := validRegistration()
	in.Role = "boss"
	in.FirstName = strings.Repeat("a", 101)
	_, err := rules.NewRegistration(in, workshop(), registeredAt)
	e, ok := domain.AsError(err)
	if !ok {
		t.Fatalf("error = %v, want a domain error", err)
	}
	byField := map[string]domain.FieldError{}
	for _, f := range e.Fields {
		byField[f.Field] = f
	}
	role := byField["role"]
	if role.Param != "expert practitioner researcher student speaker organizer other" {
		t.Errorf("role param = %q, want the allowed roles", role.Param)
	}
	if !strings.HasPrefix(role.Message, "Role must be one of: expert, practitioner") {
		t.Errorf("role message = %q, want it to list the roles", role.Message)
	}
	if first := byField["first_name"]; first.Param != "100" || first.Message != "First name must be at most 100 characters long." {
		t.Errorf("first_name error = %+v, want max 100 with an English sentence", first)
	}
}

func TestNewRegistrationRefusesWrongFormats(t *testing.T) {
	tests := []struct {
		name        string
		change      func(*domain.RegistrationInput)
		field, code string
	}{
		{"an email without an at sign", func(in *domain.RegistrationInput) { in.Email = "dilnoza.example.uz" }, "email", "email"},
		{"an email with a display name", func(in *domain.RegistrationInput) { in.Email = "Dilnoza <d@example.uz>" }, "email", "email"},
		{"an email over 254 characters", func(in *domain.RegistrationInput) { in.Email = strings.Repeat("a", 250) + "@example.uz" }, "email", "max"},
		{"an email with a line break inside", func(in *domain.RegistrationInput) { in.Email = "d@example.uz\r\nBcc: x@example.org" }, "email", "email"},
		{"a country name instead of a code", func(in *domain.RegistrationInput) { in.Country = "Uzbekistan" }, "country", "iso3166"},
		{"an unassigned country code", func(in *domain.RegistrationInput) { in.Country = "XX" }, "country", "iso3166"},
		{"a three-letter country code", func(in *domain.RegistrationInput) { in.Country = "UZB" }, "country", "iso3166"},
		{"an unknown role", func(in *domain.RegistrationInput) { in.Role = "minister" }, "role", "oneof"},
		{"an unknown language", func(in *domain.RegistrationInput) { in.Language = "kk" }, "language", "oneof"},
		{"a first name over 100 characters", func(in *domain.RegistrationInput) { in.FirstName = strings.Repeat("Д", 101) }, "first_name", "max"},
		{"a last name over 100 characters", func(in *domain.RegistrationInput) { in.LastName = strings.Repeat("b", 101) }, "last_name", "max"},
		{"an organization over 200 characters", func(in *domain.RegistrationInput) { in.Organization = strings.Repeat("o", 201) }, "organization", "max"},
		{"a position over 200 characters", func(in *domain.RegistrationInput) { in.Position = strings.Repeat("p", 201) }, "position", "max"},
		{"a phone with letters", func(in *domain.RegistrationInput) { in.Phone = "+998 71 CALL-NOW" }, "phone", "e164"},
		{"a phone that is too short", func(in *domain.RegistrationInput) { in.Phone = "+99871" }, "phone", "e164"},
		{"a phone over 16 characters", func(in *domain.RegistrationInput) { in.Phone = "+9987112345678901" }, "phone", "max"},
		{"a phone with a country code starting with 0", func(in *domain.RegistrationInput) { in.Phone = "+0998711234567" }, "phone", "e164"},
		{"a local phone number without a country code", func(in *domain.RegistrationInput) { in.Phone = "71 123 45 67" }, "phone", "e164"},
		{"a name that is only spaces", func(in *domain.RegistrationInput) { in.FirstName = "   " }, "first_name", "required"},
		{"a role that is only spaces", func(in *domain.RegistrationInput) { in.Role = "  " }, "role", "required"},
	}
	rules := domain.NewRules()
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			in := validRegistration()
			tt.change(&in)
			_, err := rules.NewRegistration(in, workshop(), registeredAt)
			assertFields(t, err, map[string]string{tt.field: tt.code})
		})
	}
}

func TestNewRegistrationTellsMissingConsentFromRefusedConsent(t *testing.T) {
	tests := []struct {
		name    string
		consent *bool
		code    string
	}{
		{"missing consent is required", nil, "required"},
		{"consent false must be accepted", ptr(false), "accepted"},
	}
	rules := domain.NewRules()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validRegistration()
			in.Consent = tt.consent
			_, err := rules.NewRegistration(in, workshop(), registeredAt)
			assertFields(t, err, map[string]string{"consent": tt.code})
		})
	}
}

func TestNewRegistrationRefusesControlCharacters(t *testing.T) {
	tests := []struct {
		name, value string
	}{
		{"a line feed", "Anna\nMaria"},
		{"a carriage return", "Anna\rMaria"},
		{"a tab", "Anna\tMaria"},
		{"a NUL byte", "Anna\x00Maria"},
		{"a Unicode line separator", "Anna\u2028Maria"},
		{"a Unicode paragraph separator", "Anna\u2029Maria"},
		{"an escape", "Anna\x1b[31mMaria"},
	}
	fields := []struct {
		name string
		set  func(*domain.RegistrationInput, string)
	}{
		{"first_name", func(in *domain.RegistrationInput, v string) { in.FirstName = v }},
		{"last_name", func(in *domain.RegistrationInput, v string) { in.LastName = v }},
		{"organization", func(in *domain.RegistrationInput, v string) { in.Organization = v }},
		{"position", func(in *domain.RegistrationInput, v string) { in.Position = v }},
	}
	rules := domain.NewRules()
	for _, tt := range tests {
		for _, f := range fields {
			t.Run(tt.name+" in "+f.name+" is refused", func(t *testing.T) {
				in := validRegistration()
				f.set(&in, tt.value)
				_, err := rules.NewRegistration(in, workshop(), registeredAt)
				assertFields(t, err, map[string]string{f.name: "nocontrol"})
			})
		}
	}
}

func TestNewRegistrationAcceptsNamesAsTyped(t *testing.T) {
	tests := []struct {
		name, first, last, organization string
	}{
		{"Cyrillic", "Дилноза", "Юсупова", "Центр экономических исследований и реформ"},
		{"Uzbek Latin with the modifier letter ʻ", "Oʻktam", "Gʻayratov", "Toshkent davlat iqtisodiyot universiteti"},
		{"an apostrophe", "Seán", "O'Brien", "Department of Public Expenditure"},
		{"hyphens", "Anna-Maria", "Müller-Lüdenscheidt", "Bundesministerium des Innern"},
		{"Georgian script", "ნინო", "ბერიძე", "საჯარო სერვისების განვითარების სააგენტო"},
		{"Armenian script", "Արմեն", "Պետրոսյան", "ՀՀ բարձր տեխնոլոգիական արդյունաբերության նախարարություն"},
		{"a single-letter name", "A", "Ng", "OECD"},
	}
	rules := domain.NewRules()
	for _, tt := range tests {
		t.Run("a name with "+tt.name+" is kept as typed", func(t *testing.T) {
			in := validRegistration()
			in.FirstName, in.LastName, in.Organization = tt.first, tt.last, tt.organization
			reg, err := rules.NewRegistration(in, workshop(), registeredAt)
			if err != nil {
				t.Fatalf("NewRegistration: %v", err)
			}
			if reg.FirstName != tt.first || reg.LastName != tt.last || reg.Organization != tt.organization {
				t.Errorf("stored %q %q of %q, want %q %q of %q",
					reg.FirstName, reg.LastName, reg.Organization, tt.first, tt.last, tt.organization)
			}
		})
	}
}

func TestNewRegistrationCountsCharactersNotBytes(t *testing.T) {
	rules := domain.NewRules()
	in := validRegistration()
	in.FirstName = strings.Repeat("Д", 100) // 200 bytes, 100 characters
	reg, err := rules.NewRegistration(in, workshop(), registeredAt)
	if err != nil {
		t.Fatalf("100 Cyrillic letters: %v", err)
	}
	if reg.FirstName != in.FirstName {
		t.Errorf("first name changed to %q", reg.FirstName)
	}
}

func TestNewRegistrationNormalizesInput(t *testing.T) {
	tests := []struct {
		name   string
		change func(*domain.RegistrationInput)
		check  func(*domain.Registration) (got, want string)
	}{
		{"a decomposed é is stored composed (NFC)",
			func(in *domain.RegistrationInput) { in.FirstName = "Rene\u0301e" },
			func(r *domain.Registration) (string, string) { return r.FirstName, "Ren\u00e9e" }},
		{"a decomposed Cyrillic й is stored composed",
			func(in *domain.RegistrationInput) { in.LastName = "Сейтказиев\u0438\u0306" },
			func(r *domain.Registration) (string, string) { return r.LastName, "Сейтказиев\u0439" }},
		{"surrounding spaces are trimmed from names",
			func(in *domain.RegistrationInput) { in.FirstName = "  \tDilnoza \n" },
			func(r *domain.Registration) (string, string) { return r.FirstName, "Dilnoza" }},
		{"surrounding spaces are trimmed from the email",
			func(in *domain.RegistrationInput) { in.Email = "  dilnoza@example.uz " },
			func(r *domain.Registration) (string, string) { return r.Email, "dilnoza@example.uz" }},
		{"the email keeps its case",
			func(in *domain.RegistrationInput) { in.Email = "Dilnoza@Example.UZ" },
			func(r *domain.Registration) (string, string) { return r.Email, "Dilnoza@Example.UZ" }},
		{"surrounding spaces are trimmed from the organization",
			func(in *domain.RegistrationInput) { in.Organization = " CERR  " },
			func(r *domain.Registration) (string, string) { return r.Organization, "CERR" }},
		{"a lower-case country comes out upper case",
			func(in *domain.RegistrationInput) { in.Country = "uz" },
			func(r *domain.Registration) (string, string) { return r.Country, "UZ" }},
		{"a mixed-case country with spaces comes out upper case",
			func(in *domain.RegistrationInput) { in.Country = " kZ " },
			func(r *domain.Registration) (string, string) { return r.Country, "KZ" }},
		{"an upper-case role is accepted in lower case",
			func(in *domain.RegistrationInput) { in.Role = " Expert " },
			func(r *domain.Registration) (string, string) { return r.Role, "expert" }},
		{"a phone with spaces, brackets and dashes is stored in E.164",
			func(in *domain.RegistrationInput) { in.Phone = "+998 (71) 123-45-67" },
			func(r *domain.Registration) (string, string) { return r.Phone, "+998711234567" }},
		{"a phone with dots and a no-break space is stored in E.164",
			func(in *domain.RegistrationInput) { in.Phone = "+998\u00a071.123.45.67" },
			func(r *domain.Registration) (string, string) { return r.Phone, "+998711234567" }},
		{"a phone with the 00 international prefix gets a plus",
			func(in *domain.RegistrationInput) { in.Phone = "00 998 71 123 45 67" },
			func(r *domain.Registration) (string, string) { return r.Phone, "+998711234567" }},
		{"no phone stays empty",
			func(in *domain.RegistrationInput) { in.Phone = "  " },
			func(r *domain.Registration) (string, string) { return r.Phone, "" }},
		{"no language takes the event's first language",
			func(in *domain.RegistrationInput) { in.Language = "" },
			func(r *domain.Registration) (string, string) { return r.Language, "ru" }},
		{"a language in upper case is accepted",
			func(in *domain.RegistrationInput) { in.Language = "EN" },
			func(r *domain.Registration) (string, string) { return r.Language, "en" }},
	}
	rules := domain.NewRules()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validRegistration()
			tt.change(&in)
			reg, err := rules.NewRegistration(in, workshop(), registeredAt)
			if err != nil {
				t.Fatalf("NewRegistration: %v", err)
			}
			if got, want := tt.check(reg); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestNewRegistrationChoosesDays(t *testing.T) {
	may30, may31, jun1 := domain.NewDate(2019, time.May, 30), domain.NewDate(2019, time.May, 31), domain.NewDate(2019, time.June, 1)
	tests := []struct {
		name string
		days []string
		want []domain.Date
	}{
		{"no days means every day of the event", nil, []domain.Date{may30, may31, jun1}},
		{"an empty list means every day of the event", []string{}, []domain.Date{may30, may31, jun1}},
		{"one day is kept", []string{"2019-05-31"}, []domain.Date{may31}},
		{"a subset comes back in event order", []string{"2019-06-01", "2019-05-30"}, []domain.Date{may30, jun1}},
		{"a repeated day counts once", []string{"2019-05-31", "2019-05-31"}, []domain.Date{may31}},
		{"spaces around a day are ignored", []string{" 2019-05-30 "}, []domain.Date{may30}},
	}
	rules := domain.NewRules()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validRegistration()
			in.Days = tt.days
			reg, err := rules.NewRegistration(in, workshop(), registeredAt)
			if err != nil {
				t.Fatalf("NewRegistration: %v", err)
			}
			if got, want := domain.DateStrings(reg.Days), domain.DateStrings(tt.want); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("days = %v, want %v", got, want)
			}
		})
	}
}

func TestNewRegistrationRefusesDaysOutsideTheEvent(t *testing.T) {
	tests := []struct {
		name string
		days []string
		want map[string]string
	}{
		{"the day before the event", []string{"2019-05-29"}, map[string]string{"days[0]": "day"}},
		{"the day after the event", []string{"2019-05-30", "2019-06-02"}, map[string]string{"days[1]": "day"}},
		{"a day in another year", []string{"2020-05-30"}, map[string]string{"days[0]": "day"}},
		{"a date in another format", []string{"30.05.2019"}, map[string]string{"days[0]": "date"}},
		{"a date that does not exist", []string{"2019-05-32"}, map[string]string{"days[0]": "date"}},
		{"each bad day by its index", []string{"2019-05-31", "nope", "2019-07-01"},
			map[string]string{"days[1]": "date", "days[2]": "day"}},
	}
	rules := domain.NewRules()
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			in := validRegistration()
			in.Days = tt.days
			_, err := rules.NewRegistration(in, workshop(), registeredAt)
			assertFields(t, err, tt.want)
		})
	}
}

func TestNewRegistrationFillsWhatTheStoreNeeds(t *testing.T) {
	rules := domain.NewRules()
	ev := workshop()
	reg, err := rules.NewRegistration(validRegistration(), ev, registeredAt)
	if err != nil {
		t.Fatalf("NewRegistration: %v", err)
	}
	if reg.EventID != ev.ID {
		t.Errorf("event id = %d, want %d", reg.EventID, ev.ID)
	}
	if !reg.ConsentAt.Equal(registeredAt) {
		t.Errorf("consent time = %v, want %v", reg.ConsentAt, registeredAt)
	}
	if len(reg.CheckinCode) != domain.CheckinCodeLength {
		t.Errorf("check-in code %q has %d symbols, want %d", reg.CheckinCode, len(reg.CheckinCode), domain.CheckinCodeLength)
	}
	if reg.Status != "" {
		t.Errorf("status = %q; pending or waitlisted is decided by the store", reg.Status)
	}
}

func TestCheckinCodesUseAnUnambiguousAlphabet(t *testing.T) {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	seen := map[string]bool{}
	used := map[rune]bool{}
	for range 2000 {
		code, err := domain.NewCheckinCode()
		if err != nil {
			t.Fatalf("NewCheckinCode: %v", err)
		}
		if len(code) != 8 || domain.CheckinCodeLength != 8 {
			t.Fatalf("code %q has length %d, want 8", code, len(code))
		}
		for _, r := range code {
			if !strings.ContainsRune(alphabet, r) {
				t.Fatalf("code %q has %q, which is not in %s", code, r, alphabet)
			}
			used[r] = true
		}
		seen[code] = true
	}
	if len(seen) < 1999 {
		t.Errorf("2000 codes gave only %d distinct ones", len(seen))
	}
	// 16,000 draws from 32 symbols: each one turns up.
	if len(used) != len(alphabet) {
		t.Errorf("only %d of %d symbols were ever drawn", len(used), len(alphabet))
	}
	for _, confusable := range "01IO" {
		if used[confusable] {
			t.Errorf("a code contains the confusable %q", confusable)
		}
	}
}

func TestNormalizeCheckinCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abcd efgh", "ABCDEFGH"},
		{"ABCD-EFGH", "ABCDEFGH"},
		{" x7k2-m9pq ", "X7K2M9PQ"},
	}
	for _, tt := range tests {
		t.Run(tt.in+" is read as "+tt.want, func(t *testing.T) {
			if got := domain.NormalizeCheckinCode(tt.in); got != tt.want {
				t.Errorf("NormalizeCheckinCode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStatuses(t *testing.T) {
	for _, s := range domain.Statuses {
		if !domain.ValidStatus(string(s)) {
			t.Errorf("ValidStatus(%q) = false", s)
		}
	}
	for _, s := range []string{"", "Pending", "deleted"} {
		if domain.ValidStatus(s) {
			t.Errorf("ValidStatus(%q) = true", s)
		}
	}
	holds := map[domain.Status]bool{domain.StatusPending: true, domain.StatusConfirmed: true}
	for _, s := range domain.Statuses {
		if s.HoldsSeat() != holds[s] {
			t.Errorf("%s.HoldsSeat() = %v, want %v", s, s.HoldsSeat(), holds[s])
		}
	}
}

func TestValidUUID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"6f1c3c1e-9b9a-4c1e-8f3e-2d5c8b7a9e10", true},
		{"6F1C3C1E-9B9A-4C1E-8F3E-2D5C8B7A9E10", true},
		{"6f1c3c1e9b9a4c1e8f3e2d5c8b7a9e10", false},
		{"6f1c3c1e-9b9a-4c1e-8f3e-2d5c8b7a9e1", false},
		{"'; DROP TABLE registrations; --", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := domain.ValidUUID(tt.in); got != tt.want {
			t.Errorf("ValidUUID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
