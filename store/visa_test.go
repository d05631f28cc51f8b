package store_test

import (
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

func TestVisaDetailsAreKeptApartAndErasedWithThePerson(t *testing.T) {
	tests := []struct {
		name  string
		erase func(r *storeRig, ev *domain.Event, regID string) error
	}{
		{"an organizer erases the participant", func(r *storeRig, ev *domain.Event, regID string) error {
			return r.st.EraseRegistration(r.ctx, r.org.ID, ev.Slug, regID)
		}},
		{"the retention period runs out", func(r *storeRig, ev *domain.Event, _ string) error {
			r.st.Now = func() time.Time { return ev.EndsAt().Add(32 * 24 * time.Hour) }
			_, err := r.st.EraseExpired(r.ctx)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newStoreRig(t)
			ev := r.newEvent(10, func(in *domain.EventInput) {
				in.RetentionDays = domain.Some(30)
				in.VisaLetters = domain.Some(&domain.VisaLetters{HostName: "Academy", HostAddress: "Tashkent", SignatoryName: "Alisher Karimov"})
			})
			if ev.VisaLetters == nil || ev.VisaLetters.HostName != "Academy" {
				t.Fatalf("the event's letter settings were not kept: %+v", ev.VisaLetters)
			}
			in := person("gayrat@example.uz")
			in.FirstName = "Gʻayrat"
			in.Visa = &domain.VisaInput{PassportName: "G'ayrat To'xtayev", PassportNumber: "fa 123-4567", Nationality: "uz",
				DateOfBirth: "1990-02-01", PassportExpiry: ev.EndsOn.AddDays(200).String()}
			res, err := r.st.Register(r.ctx, ev, r.f.newRegistration(t, ev, in, time.Now()))
			if err != nil {
				t.Fatal(err)
			}
			visa, err := r.st.VisaOf(r.ctx, res.Registration.ID)
			if err != nil || visa == nil {
				t.Fatalf("visa details %v, %v", visa, err)
			}
			if visa.PassportNumber != "FA1234567" || visa.Nationality != "UZ" || visa.MaskedPassport() != "••••4567" {
				t.Errorf("stored %+v (masked %s), want FA1234567 from UZ, masked ••••4567", visa, visa.MaskedPassport())
			}
			if err := tt.erase(r, ev, res.Registration.ID); err != nil {
				t.Fatal(err)
			}
			if n := count(t, r.db, `SELECT count(*) FROM registration_visa WHERE registration_id = $1`, res.Registration.ID); n != 0 {
				t.Error("the passport details outlived the person's erasure")
			}
		})
	}
}
