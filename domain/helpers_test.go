package domain_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

// workshop is a three-day event in Tashkent whose first language is Russian,
// so that defaults taken from the event are visible.
func workshop() *domain.Event {
	return &domain.Event{
		ID:          7,
		Slug:        "egov-tashkent-2019",
		Title:       "International workshop on e-government development",
		Country:     "UZ",
		Timezone:    "Asia/Tashkent",
		StartsOn:    domain.NewDate(2019, time.May, 30),
		EndsOn:      domain.NewDate(2019, time.June, 1),
		DayStartsAt: "09:00",
		DayEndsAt:   "18:00",
		Languages:   []string{"ru", "en", "uz"},
	}
}

// validRegistration is an input that passes every rule; cases change one
// thing in it.
func validRegistration() domain.RegistrationInput {
	yes := true
	return domain.RegistrationInput{
		FirstName:    "Dilnoza",
		LastName:     "Yusupova",
		Email:        "dilnoza.yusupova@example.uz",
		Country:      "UZ",
		Organization: "Centre for Economic Research and Reforms",
		Position:     "Researcher",
		Role:         "researcher",
		Consent:      &yes,
	}
}

func ptr[T any](v T) *T { return &v }

// fieldCodes returns the field → code map of a validation error and fails
// the test when err is not one.
func fieldCodes(t *testing.T, err error) map[string]string {
	t.Helper()
	if err == nil {
		t.Fatal("got no error, want a validation error")
	}
	e, ok := domain.AsError(err)
	if !ok || e.Code != domain.EInvalid {
		t.Fatalf("error = %v (code %q), want a domain error with code %q", err, domain.ErrorCode(err), domain.EInvalid)
	}
	out := map[string]string{}
	for _, f := range e.Fields {
		if _, dup := out[f.Field]; dup {
			t.Errorf("field %q is reported twice", f.Field)
		}
		if f.Message == "" {
			t.Errorf("field %q (code %q) has no message", f.Field, f.Code)
		}
		out[f.Field] = f.Code
	}
	return out
}

// assertFields checks that err names exactly the given fields with the given codes.
func assertFields(t *testing.T, err error, want map[string]string) {
	t.Helper()
	got := fieldCodes(t, err)
	if !maps.Equal(got, want) {
		t.Errorf("field errors = %v, want %v", sortedPairs(got), sortedPairs(want))
	}
}

func sortedPairs(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}
