package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

// TestVisaLetterFromTheFormToThePDF asks for a letter on the form, without
// JavaScript, and downloads it from the personal link once confirmed.
func TestVisaLetterFromTheFormToThePDF(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "visa", func(b map[string]any) {
		b["visa_letters"] = map[string]any{"host_name": "Academy of Public Administration",
			"host_address": "Tashkent", "signatory_name": "Alisher Karimov"}
	})
	_, d := a.Page("/events/visa")
	for _, id := range []string{"visa_needed", "visa-passport_name", "visa-passport_number", "visa-nationality",
		"visa-date_of_birth", "visa-passport_expiry"} {
		if !d.Has(id) {
			t.Errorf("the form has no #%s", id)
		}
	}
	start := domain.DateOf(time.Now()).AddDays(30)
	form := func(email string, tick bool, number string) url.Values {
		f := servertest.ValidForm(email)
		f.Set("first_name", "Gʻayrat")
		f.Set("visa.passport_name", "G'ayrat To'xtayev")
		f.Set("visa.passport_number", number)
		f.Set("visa.nationality", "UZ")
		f.Set("visa.date_of_birth", "1990-02-01")
		f.Set("visa.passport_expiry", start.AddDays(365).String())
		if tick {
			f.Set("visa_needed", "yes")
		}
		return f
	}

	t.Run("a bad passport number comes back with the values kept", func(t *testing.T) {
		rec, d := a.Submit("/events/visa/register", form("bad@example.uz", true, "№12"))
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", rec.Code)
		}
		if !strings.Contains(d.Text(), "5 to 20 letters and digits") || servertest.Attr(d.ByID("visa-passport_name"), "value") != "G'ayrat To'xtayev" {
			t.Errorf("the error or the typed values are missing: %s", d.Text())
		}
	})
	t.Run("the fields are ignored unless the box is ticked", func(t *testing.T) {
		if rec, _ := a.Submit("/events/visa/register", form("nobox@example.uz", false, "№12")); rec.Code != http.StatusSeeOther {
			t.Fatalf("status %d, want 303", rec.Code)
		}
		var n int
		if err := a.DB.Get(&n, `SELECT count(*) FROM registration_visa v JOIN registrations r ON r.id = v.registration_id
			WHERE r.email = 'nobox@example.uz'`); err != nil || n != 0 {
			t.Errorf("%d visa rows (%v), want none", n, err)
		}
	})

	token := func() string {
		f := form("gayrat@example.uz", true, "fa 1234567")
		if rec, _ := a.Submit("/events/visa/register", f); rec.Code != http.StatusSeeOther {
			t.Fatalf("register: status %d", rec.Code)
		}
		return a.LinkToken("visa", "gayrat@example.uz", "en") // registers again: the same registration
	}()
	t.Run("no letter before the registration is confirmed", func(t *testing.T) {
		rec, d := a.Page("/r/" + token + "/visa-letter.pdf")
		if rec.Code != http.StatusNotFound || !strings.Contains(d.Text(), "No visa invitation letter") {
			t.Errorf("status %d: %s", rec.Code, d.Text())
		}
	})
	t.Run("the confirmed participant downloads the letter", func(t *testing.T) {
		if rec, _ := a.Submit("/r/"+token+"/confirm", url.Values{}); rec.Code != http.StatusSeeOther {
			t.Fatalf("confirm: status %d", rec.Code)
		}
		if _, d := a.Page("/r/" + token); servertest.Attr(d.ByID("visa-letter"), "href") != "/r/"+token+"/visa-letter.pdf" {
			t.Error("the link page offers no letter")
		}
		rec, _ := a.Page("/r/" + token + "/visa-letter.pdf")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "%PDF-") ||
			rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("status %d, Cache-Control %q, body %.10q", rec.Code, rec.Header().Get("Cache-Control"), rec.Body.String())
		}
	})
}
