package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

// webhookTypes lists the types of the deliveries queued for a
// registration, in the order they were written.
func (r *storeRig) webhookTypes(regID string) []string {
	r.t.Helper()
	var types []string
	if err := r.db.SelectContext(r.ctx, &types, `
		SELECT type FROM webhook_deliveries WHERE registration_id = $1 ORDER BY created_at, type`, regID); err != nil {
		r.t.Fatal(err)
	}
	return types
}

func TestStatusChangesBecomeWebhookTypes(t *testing.T) {
	r := newStoreRig(t)
	for _, tt := range []struct {
		from, to string
		want     []string
	}{
		{"", "pending", []string{"registration.created"}},
		{"", "confirmed", []string{"registration.created", "registration.confirmed"}},
		{"", "waitlisted", []string{"registration.created", "registration.waitlisted"}},
		{"cancelled", "pending", []string{"registration.created"}},
		{"expired", "waitlisted", []string{"registration.created", "registration.waitlisted"}},
		{"pending", "confirmed", []string{"registration.confirmed"}},
		{"waitlisted", "pending", []string{"registration.promoted"}},
		{"waitlisted", "confirmed", []string{"registration.promoted"}},
		{"confirmed", "cancelled", []string{"registration.cancelled"}},
		{"pending", "expired", []string{"registration.expired"}},
		{"confirmed", "waitlisted", []string{"registration.waitlisted"}},
		// Statuses added later (approval) never stop a registration.
		{"", "awaiting_approval", []string{"registration.created"}},
		{"awaiting_approval", "confirmed", []string{"registration.confirmed"}},
		{"awaiting_approval", "rejected", []string{"registration.updated"}},
		{"pending", "something_new", []string{"registration.updated"}},
	} {
		var got []string
		var from any
		if tt.from != "" {
			from = tt.from
		}
		if err := r.db.SelectContext(r.ctx, &got, `SELECT unnest(webhook_types($1, $2))`, from, tt.to); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q → %q: %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestTheRegistrationPathQueuesWebhooksAndErasureRemovesThePerson(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(1)
	url := "https://crm.example.org/hooks"
	personal := true
	if _, _, err := r.st.CreateWebhook(r.ctx, r.org.ID, nil, domain.WebhookChange{
		URL: &url, EventTypes: domain.WebhookTypes, IncludePersonalData: &personal}, 0); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	first := r.signUp(ev, now)
	second := r.signUp(ev, now.Add(time.Second))
	r.confirm(second.ID) // verified, still waiting
	r.cancel(first.ID)   // frees the seat: second is promoted

	if got := r.webhookTypes(first.ID); !slices.Equal(got, []string{"registration.created", "registration.cancelled"}) {
		t.Errorf("first: %v", got)
	}
	got := r.webhookTypes(second.ID)
	if len(got) < 3 || got[0] != "registration.created" || got[1] != "registration.waitlisted" || got[len(got)-1] != "registration.promoted" {
		t.Errorf("second: %v, want created, waitlisted, …, promoted", got)
	}

	var withPerson int
	if err := r.db.GetContext(r.ctx, &withPerson, `SELECT count(*) FROM webhook_deliveries
		WHERE registration_id = $1 AND payload->'data'->'person'->>'email' = $2`, first.ID, strings.ToLower(first.Email)); err != nil {
		t.Fatal(err)
	}
	if withPerson == 0 {
		t.Fatal("no delivery carries the person the endpoint asked for")
	}
	if err := r.st.EraseRegistration(r.ctx, r.org.ID, ev.Slug, first.ID); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := r.db.GetContext(r.ctx, &left, `SELECT count(*) FROM webhook_deliveries
		WHERE registration_id = $1 AND (payload::text LIKE '%' || $2 || '%' OR payload->'data' ? 'person')`,
		first.ID, first.LastName); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d deliveries still carry the erased person", left)
	}
	if n := len(r.webhookTypes(first.ID)); n != 2 {
		t.Errorf("erasure changed the deliveries' number to %d", n)
	}
}

func TestOldDeliveriesAreDeletedButQueuedOnesWait(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0)
	url := "https://crm.example.org/hooks"
	if _, _, err := r.st.CreateWebhook(r.ctx, r.org.ID, nil, domain.WebhookChange{URL: &url, EventTypes: domain.WebhookTypes}, 0); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		r.signUp(ev, time.Now())
	}
	r.exec(`UPDATE webhook_deliveries SET created_at = now() - interval '40 days'`)
	r.exec(`UPDATE webhook_deliveries SET status = 'delivered' WHERE id = (SELECT min(id::text)::uuid FROM webhook_deliveries)`)
	r.exec(`UPDATE webhook_deliveries SET status = 'failed' WHERE id = (SELECT max(id::text)::uuid FROM webhook_deliveries)`)
	n, err := r.st.DeleteOldWebhookDeliveries(r.ctx, 30*24*time.Hour)
	if err != nil || n != 2 {
		t.Fatalf("deleted %d (%v), want the delivered and the failed one", n, err)
	}
	var left string
	if err := r.db.GetContext(r.ctx, &left, `SELECT string_agg(status, ',') FROM webhook_deliveries`); err != nil || left != "queued" {
		t.Errorf("left %q (%v), want the queued one", left, err)
	}
}
