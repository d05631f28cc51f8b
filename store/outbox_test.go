package store_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// emailRow is what the outbox tests look at in an email row.
type emailRow struct {
	Status      domain.EmailStatus `db:"status"`
	Attempts    int                `db:"attempts"`
	LastError   *string            `db:"last_error"`
	Leased      bool               `db:"leased"`
	SealedToken string             `db:"sealed_token"`
	Sent        bool               `db:"sent"`
}

func (r *storeRig) email(id int64) emailRow {
	r.t.Helper()
	var e emailRow
	err := r.db.GetContext(r.ctx, &e, `
		SELECT status, attempts, last_error, locked_until IS NOT NULL AS leased,
			coalesce(payload->>'sealed_token', '') AS sealed_token, sent_at IS NOT NULL AS sent
		FROM emails WHERE id = $1`, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return e
}

// claim claims due emails with a long lease and returns their ids.
func (r *storeRig) claim(limit int) []int64 {
	r.t.Helper()
	rows, err := r.st.ClaimDue(r.ctx, limit, time.Hour)
	if err != nil {
		r.t.Fatalf("ClaimDue: %v", err)
	}
	ids := make([]int64, len(rows))
	for i, e := range rows {
		ids[i] = e.ID
	}
	return ids
}

func TestClaimDueGivesEachEmailToOneWorker(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0)
	r.signUpMany(ev, 40, time.Now())

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		claimed []int64
	)
	for range 8 {
		wg.Go(func() {
			rows, err := r.st.ClaimDue(r.ctx, 10, time.Hour)
			if err != nil {
				t.Errorf("ClaimDue: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, e := range rows {
				claimed = append(claimed, e.ID)
				if e.Status != domain.EmailSending || e.Attempts != 1 {
					t.Errorf("claimed email %d is %s after %d attempts, want sending after 1", e.ID, e.Status, e.Attempts)
				}
			}
		})
	}
	wg.Wait()
	slices.Sort(claimed)
	if len(slices.Compact(slices.Clone(claimed))) != len(claimed) {
		t.Errorf("an email was claimed twice: %v", claimed)
	}
	if len(claimed) != 40 {
		t.Errorf("%d emails claimed, want all 40", len(claimed))
	}
	if ids := r.claim(100); len(ids) != 0 {
		t.Errorf("leased emails were claimed again: %v", ids)
	}
}

func TestAnEmailWhoseLeaseRanOutIsClaimedAgain(t *testing.T) {
	r := newStoreRig(t)
	r.signUp(r.newEvent(0), time.Now())
	rows, err := r.st.ClaimDue(r.ctx, 10, 50*time.Millisecond)
	if err != nil || len(rows) != 1 {
		t.Fatalf("ClaimDue = %d rows, %v", len(rows), err)
	}
	// The worker "crashes": nothing marks the row. Wait for the lease to run out.
	deadline := time.Now().Add(10 * time.Second)
	var again []*store.Email
	for len(again) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the abandoned email was not claimable again within 10s")
		}
		time.Sleep(20 * time.Millisecond)
		if again, err = r.st.ClaimDue(r.ctx, 10, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if again[0].ID != rows[0].ID || again[0].Attempts != 2 || again[0].MessageID != rows[0].MessageID {
		t.Errorf("reclaimed email %d attempt %d %s, want %d attempt 2 with the same Message-ID %s",
			again[0].ID, again[0].Attempts, again[0].MessageID, rows[0].ID, rows[0].MessageID)
	}
}

func TestOutboxOutcomes(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0)
	r.signUpMany(ev, 5, time.Now())
	ids := r.claim(10)
	if len(ids) != 5 {
		t.Fatalf("claimed %d, want 5", len(ids))
	}
	sent, later, soon, failed, released := ids[0], ids[1], ids[2], ids[3], ids[4]

	if err := r.st.MarkSent(r.ctx, []int64{sent}); err != nil {
		t.Fatal(err)
	}
	if err := r.st.MarkRetry(r.ctx, later, "451 try again later", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := r.st.MarkRetry(r.ctx, soon, "451 try again later", time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := r.st.MarkFailed(r.ctx, failed, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	if err := r.st.Release(r.ctx, []int64{released}); err != nil {
		t.Fatal(err)
	}

	str := func(s string) *string { return &s }
	tests := []struct {
		name string
		id   int64
		want emailRow
	}{
		{"a sent email loses its sealed link token", sent, emailRow{Status: domain.EmailSent, Attempts: 1, Sent: true}},
		{"a temporary failure is queued for later with the reason", later,
			emailRow{Status: domain.EmailQueued, Attempts: 1, LastError: str("451 try again later"), SealedToken: "(sealed)"}},
		{"a permanent failure is failed with the reason", failed,
			emailRow{Status: domain.EmailFailed, Attempts: 1, LastError: str("550 no such user"), SealedToken: "(sealed)"}},
		{"a released email does not count the attempt", released,
			emailRow{Status: domain.EmailQueued, Attempts: 0, SealedToken: "(sealed)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.email(tt.id)
			if got.SealedToken != "" {
				got.SealedToken = "(sealed)"
			}
			if got.Status != tt.want.Status || got.Attempts != tt.want.Attempts || got.Leased ||
				got.SealedToken != tt.want.SealedToken || got.Sent != tt.want.Sent ||
				(got.LastError == nil) != (tt.want.LastError == nil) ||
				(got.LastError != nil && *got.LastError != *tt.want.LastError) {
				t.Errorf("got %+v (last_error %v), want %+v (last_error %v)", got, lastErrorText(got.LastError), tt.want, lastErrorText(tt.want.LastError))
			}
		})
	}
	t.Run("only due emails are claimed next", func(t *testing.T) {
		got := r.claim(10)
		slices.Sort(got)
		want := []int64{soon, released}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("claimed %v, want %v", got, want)
		}
	})
	t.Run("a late outcome of a lost lease does not undo a send", func(t *testing.T) {
		if err := r.st.MarkRetry(r.ctx, sent, "timeout", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := r.st.MarkFailed(r.ctx, sent, "timeout"); err != nil {
			t.Fatal(err)
		}
		if got := r.email(sent).Status; got != domain.EmailSent {
			t.Errorf("status %s, want sent", got)
		}
	})
}

func lastErrorText(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func TestRetryEmail(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0)
	other := r.newEvent(0)
	r.signUpMany(ev, 2, time.Now())
	ids := r.claim(10)
	failed, queued := ids[0], ids[1]
	if err := r.st.MarkFailed(r.ctx, failed, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	if err := r.st.MarkRetry(r.ctx, queued, "451", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		eventID int64
		id      int64
		want    domain.Code
	}{
		{"an email of another event is not found", other.ID, failed, domain.ENotFound},
		{"an unknown email is not found", ev.ID, failed + 1000, domain.ENotFound},
		{"an email that has not failed cannot be retried", ev.ID, queued, domain.EConflict},
		{"a failed email is queued again", ev.ID, failed, ""},
		{"retrying twice is a conflict, since it is no longer failed", ev.ID, failed, domain.EConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := r.st.RetryEmail(r.ctx, tt.eventID, tt.id)
			if got := domain.ErrorCode(err); got != tt.want {
				t.Fatalf("err = %v, want code %q", err, tt.want)
			}
			if err == nil && (e.Status != domain.EmailQueued || e.Attempts != 0) {
				t.Errorf("retried email is %s after %d attempts, want queued after 0", e.Status, e.Attempts)
			}
		})
	}
	if got := r.claim(10); !slices.Equal(got, []int64{failed}) {
		t.Errorf("claimed %v after the retry, want %v", got, []int64{failed})
	}
}

func TestEventEmailsListsAnEventsOutboxNewestFirst(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0)
	r.signUpMany(ev, 3, time.Now())
	r.signUp(r.newEvent(0), time.Now()) // another event's email
	ids := r.claim(1)
	if err := r.st.MarkFailed(r.ctx, ids[0], "550"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		status string
		limit  int
		want   int
	}{
		{"all statuses", "", 100, 3},
		{"only failed", "failed", 100, 1},
		{"only queued", "queued", 100, 2},
		{"only sent", "sent", 100, 0},
		{"a limit", "", 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.st.EventEmails(r.ctx, ev.ID, tt.status, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Fatalf("%d emails, want %d", len(got), tt.want)
			}
			for i, e := range got {
				if e.EventID != ev.ID || (tt.status != "" && string(e.Status) != tt.status) {
					t.Errorf("email %d: event %d, %s", e.ID, e.EventID, e.Status)
				}
				if i > 0 && e.ID > got[i-1].ID {
					t.Errorf("not newest first: %d after %d", e.ID, got[i-1].ID)
				}
			}
		})
	}
}

func TestRepeatedRegistrationsAreRateLimitedPerAddress(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0)
	var first store.RegisterResult
	for i := range 10 {
		reg := r.newRegistration(ev, time.Now())
		reg.Email = "Dilnoza.Yusupova@example.uz"
		res, err := r.st.Register(r.ctx, ev, reg)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = res
			continue
		}
		if res.Created || res.Status != first.Status {
			t.Errorf("attempt %d: created %v, status %s; want not created and %s", i+1, res.Created, res.Status, first.Status)
		}
	}
	var kinds []domain.EmailKind
	if err := r.db.SelectContext(r.ctx, &kinds, `
		SELECT kind FROM emails WHERE lower(recipient) = 'dilnoza.yusupova@example.uz' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	want := []domain.EmailKind{domain.EmailConfirmRequest, domain.EmailAlreadyRegistered, domain.EmailAlreadyRegistered}
	if !slices.Equal(kinds, want) {
		t.Errorf("emails %v, want %v (at most %d an hour)", kinds, want, domain.MaxEmailsPerAddressHour)
	}
}

func TestEmailContextsLoadWhatRenderingNeeds(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0)
	reg := r.signUp(ev, time.Now())
	rows, err := r.st.ClaimDue(r.ctx, 1, time.Hour)
	if err != nil || len(rows) != 1 {
		t.Fatalf("ClaimDue = %d rows, %v", len(rows), err)
	}
	regs, events, err := r.st.EmailContexts(r.ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	gotReg, gotEv := regs[reg.ID], events[ev.ID]
	if gotReg == nil || gotReg.ID != reg.ID || gotReg.CheckinCode != reg.CheckinCode || gotEv == nil || gotEv.ID != ev.ID {
		t.Errorf("EmailContexts = %+v, %+v; want registration %s of event %d", gotReg, gotEv, reg.ID, ev.ID)
	}
	if rows[0].Recipient != reg.Email || rows[0].Kind != domain.EmailConfirmRequest || rows[0].Payload.SealedToken == "" {
		t.Errorf("claimed row %+v, want the confirm request to %s with a sealed token", rows[0], reg.Email)
	}
}
