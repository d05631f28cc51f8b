package admin_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/demo"
	"github.com/attend/attend/internal/servertest"
)

// TestBrowserWebhooksPageFitsAPhoneAndADesktop opens the webhooks page,
// with a long endpoint address and one that kept failing, with a delivery
// it answered at length, in each language
// at a phone's width and a desktop's: nothing wider than the screen.
func TestBrowserWebhooksPageFitsAPhoneAndADesktop(t *testing.T) {
	a := servertest.New(t)
	if _, err := demo.Load(context.Background(), a.Store, a.Rules, time.Now()); err != nil {
		t.Fatalf("demo data: %v", err)
	}
	org, err := a.Store.OrganizerByEmail(context.Background(), demo.Organizer)
	if err != nil {
		t.Fatal(err)
	}
	long := "https://integrations.example-university.edu.uz/registration-system/incoming/attend/webhooks/v1/endpoint-for-events"
	personal := true
	if _, _, err := a.Store.CreateWebhook(context.Background(), org.ID, nil, domain.WebhookChange{
		URL: &long, EventTypes: domain.WebhookTypes, IncludePersonalData: &personal}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.Exec(`UPDATE webhook_endpoints SET active = false, consecutive_failures = 20`); err != nil {
		t.Fatal(err)
	}
	// A delivery the endpoint answered at length, in one unbroken word.
	if _, err := a.DB.Exec(`INSERT INTO webhook_deliveries (endpoint_id, event_id, type, payload, status, last_status_code, last_response)
		SELECT w.id, (SELECT min(id) FROM events), 'registration.waitlisted', '{}', 'failed', 502, repeat('x', 300) FROM webhook_endpoints w`); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Srv)
	t.Cleanup(srv.Close)
	ctx := servertest.Browser(t)
	signInAsDemoOrganizer(t, ctx, srv.URL+"/admin/login")
	for _, width := range []int64{390, 1280} {
		for _, lang := range []string{"en", "ru", "uz"} {
			t.Run(lang+" at "+strconv.FormatInt(width, 10)+" px", func(t *testing.T) {
				if err := chromedp.Do(ctx,
					chromedp.EmulateViewport(width, 844),
					chromedp.Navigate(srv.URL+"/admin/webhooks?lang="+lang),
					chromedp.WaitVisible(chromedp.CSS(`#url`)),
				); err != nil {
					t.Fatalf("open the webhooks page: %v", err)
				}
				if w := servertest.Eval(t, ctx, `String(document.documentElement.scrollWidth)`); w != strconv.FormatInt(width, 10) {
					t.Errorf("the page is %s px wide on a %d px screen", w, width)
				}
				if rows := servertest.Eval(t, ctx, `String(document.querySelectorAll('table.webhooks tbody tr').length)`); rows != "1" {
					t.Errorf("%s endpoints listed, want 1", rows)
				}
			})
		}
	}
}
