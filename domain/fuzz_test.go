package domain

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzRegistrationInput feeds arbitrary JSON through decoding and
// validation: nothing may panic, and whatever is accepted must obey the
// rules the rest of attend relies on.
func FuzzRegistrationInput(f *testing.F) {
	f.Add([]byte(`{"first_name":"Дилноза","last_name":"Юсупова","email":"d@example.uz","country":"uz","organization":"Academy","role":"researcher","consent":true}`))
	f.Add([]byte(`{"first_name":"Oʻktam","last_name":"O'Brien-Ergashev","email":"o@example.org","country":"UZ","organization":"X","role":"expert","consent":true,"phone":"+998 (71) 123-45-67","days":["2019-05-31"]}`))
	f.Add([]byte(`{"first_name":"a\r\nBcc: x@y","email":"not-an-email","consent":false}`))
	f.Add([]byte(`{"days":["2019-13-40", 5], "consent":"yes"}`))
	f.Add([]byte(`[]`))
	rules := NewRules()
	ev := &Event{ID: 1, StartsOn: NewDate(2019, 5, 30), EndsOn: NewDate(2019, 5, 31), Languages: []string{"en"}, Timezone: "Asia/Tashkent"}
	now := time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		var in RegistrationInput
		if err := json.Unmarshal(data, &in); err != nil {
			return
		}
		reg, err := rules.NewRegistration(in, ev, now)
		if err != nil {
			e, ok := AsError(err)
			if !ok || e.Code != EInvalid || len(e.Fields) == 0 {
				t.Fatalf("rejection is not a validation error with fields: %v", err)
			}
			return
		}
		for name, v := range map[string]string{"first_name": reg.FirstName, "last_name": reg.LastName,
			"organization": reg.Organization, "position": reg.Position, "email": reg.Email} {
			if HasControl(v) || !utf8.ValidString(v) {
				t.Fatalf("%s accepted with control characters or invalid UTF-8: %q", name, v)
			}
			if v != strings.TrimSpace(v) {
				t.Fatalf("%s not trimmed: %q", name, v)
			}
		}
		if reg.FirstName == "" || reg.LastName == "" || reg.Organization == "" || !ValidCountry(reg.Country) {
			t.Fatalf("required field missing in accepted registration: %+v", reg)
		}
		if len(reg.Days) == 0 {
			t.Fatal("accepted registration has no days")
		}
		for _, d := range reg.Days {
			if !ev.HasDay(d) {
				t.Fatalf("accepted day %s outside the event", d)
			}
		}
		if reg.Phone != "" && (reg.Phone[0] != '+' || len(reg.Phone) > 16) {
			t.Fatalf("accepted phone %q is not E.164", reg.Phone)
		}
	})
}

// FuzzTokenSyntax checks the link-token parser on arbitrary text.
func FuzzTokenSyntax(f *testing.F) {
	plain, _, err := NewToken()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(plain)
	f.Add("")
	f.Add(strings.Repeat("A", TokenLength))
	f.Add(strings.Repeat("=", TokenLength))
	f.Add("../../etc/passwd")
	f.Fuzz(func(t *testing.T, s string) {
		ok := ValidTokenSyntax(s)
		if ok && len(s) != TokenLength {
			t.Fatalf("accepted %d-character token", len(s))
		}
		if len(HashToken(s)) != 32 {
			t.Fatal("hash is not 32 bytes")
		}
	})
}
