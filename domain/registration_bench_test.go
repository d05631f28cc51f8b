package domain_test

import (
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

// BenchmarkRulesNewRegistration measures the validation every registration
// request goes through (JSON API and web form alike): normalization, the
// struct tags, the event's days and a new check-in code. Run with
// `make bench-go`; go test runs no benchmark without -bench.
func BenchmarkRulesNewRegistration(b *testing.B) {
	rules := domain.NewRules()
	ev := &domain.Event{
		ID: 1, Slug: "bench", Title: "Bench", Country: "UZ", Timezone: "Asia/Tashkent",
		StartsOn: domain.NewDate(2031, time.May, 30), EndsOn: domain.NewDate(2031, time.May, 31),
		DayStartsAt: "09:00", DayEndsAt: "18:00", Languages: []string{"en", "ru", "uz"},
	}
	yes := true
	valid := domain.RegistrationInput{
		FirstName: "Dilnoza", LastName: "Oʻktamova", Email: "dilnoza.oktamova@example.org", Country: "uz",
		Organization: "Ministry of Digital Technologies", Position: "Chief specialist", Role: "expert",
		Phone: "+998 (71) 123-45-67", Language: "ru", Days: []string{"2031-05-30", "2031-05-31"}, Consent: &yes,
	}
	invalid := domain.RegistrationInput{FirstName: "A\nB", Email: "not an address", Country: "XX", Role: "boss",
		Days: []string{"2031-06-01"}}
	now := time.Date(2031, time.May, 1, 10, 0, 0, 0, time.UTC)
	b.Run("valid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := rules.NewRegistration(valid, ev, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("invalid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := rules.NewRegistration(invalid, ev, now); err == nil {
				b.Fatal("invalid input accepted")
			}
		}
	})
}
