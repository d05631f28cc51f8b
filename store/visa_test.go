package store_test

import (
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

func TestVisaDetailsAreKeptApartAndErasedWithThePerson(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(10, func(in *domain.EventInput) {
		in.VisaLetters = domain.Some(&domain.VisaLetters{HostName: "Academy", HostAddress: "Tashkent", SignatoryName: "Alisher Karimov"})
	})
	if ev.VisaLetters == nil || ev.VisaLetters.HostName != "Academy" {
		t.Fatalf("the event's letter settings were not kept: %+v", ev.VisaLetters)
	}
	in := person("gayrat@example.uz")
	in.FirstName = "Gʻayrat"
	in.Visa = &domain.VisaInput{PassportName: "G'ayrat To'xtayev", PassportNumber: "fa 123-4567", Nationality: "uz",
		DateOfBirth: "1990-02-01", PassportExpiry: ev.EndsOn.AddDays(200).String()}
	reg := r.f.newRegistration(t, ev, in, time.Now())
	res, err := r.st.Register(r.ctx, ev, reg)
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

	if err := r.st.EraseRegistration(r.ctx, r.org.ID, ev.Slug, res.Registration.ID); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := r.db.GetContext(r.ctx, &left, `SELECT count(*) FROM registration_visa WHERE registration_id = $1`, res.Registration.ID); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Error("the passport details outlived the person's erasure")
	}
}
