package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// tashkentTime is a wall-clock time in Tashkent, where the test events take place.
func tashkentTime(t *testing.T, d domain.Date, hour, minute int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Tashkent")
	if err != nil {
		t.Fatal(err)
	}
	y, m, day := d.Time().Date()
	return time.Date(y, m, day, hour, minute, 0, 0, loc)
}

func TestQueueEventRemindersOncePerConfirmedRegistration(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0) // starts 30 days from now at 09:00, reminders one day before
	var confirmed []*domain.Registration
	for range 5 {
		reg := r.signUp(ev, time.Now())
		r.confirm(reg.ID)
		confirmed = append(confirmed, reg)
	}
	pending := r.signUp(ev, time.Now())
	cancelled := r.signUp(ev, time.Now())
	r.confirm(cancelled.ID)
	r.cancel(cancelled.ID)
	silent := r.newEvent(0, func(in *domain.EventInput) { in.ReminderDaysBefore = domain.Some(0) })
	unreminded := r.signUp(silent, time.Now())
	r.confirm(unreminded.ID)

	dayBefore := ev.StartsOn.AddDays(-1)
	queue := func(now time.Time) int {
		t.Helper()
		r.st.Now = func() time.Time { return now }
		n, err := r.st.QueueEventReminders(r.ctx)
		if err != nil {
			t.Fatalf("QueueEventReminders: %v", err)
		}
		return n
	}

	t.Run("nothing is queued before the reminder time", func(t *testing.T) {
		if n := queue(tashkentTime(t, dayBefore, 8, 59)); n != 0 {
			t.Errorf("queued %d reminders at 08:59 the day before, want 0", n)
		}
	})
	t.Run("concurrent repeated runs after the reminder time queue one per confirmed registration", func(t *testing.T) {
		now := tashkentTime(t, dayBefore, 10, 0)
		r.st.Now = func() time.Time { return now }
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			total int
		)
		for range 8 {
			wg.Go(func() {
				for range 3 {
					n, err := r.st.QueueEventReminders(r.ctx)
					if err != nil {
						t.Errorf("QueueEventReminders: %v", err)
						return
					}
					mu.Lock()
					total += n
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if total != len(confirmed) {
			t.Errorf("the runs reported %d reminders, want %d", total, len(confirmed))
		}
		for i, reg := range confirmed {
			if n := r.emailCount(reg.ID, domain.EmailReminder); n != 1 {
				t.Errorf("confirmed[%d] has %d reminders, want 1", i, n)
			}
		}
		for name, reg := range map[string]*domain.Registration{"pending": pending, "cancelled": cancelled, "no-reminder event": unreminded} {
			if n := r.emailCount(reg.ID, domain.EmailReminder); n != 0 {
				t.Errorf("%s registration has %d reminders, want 0", name, n)
			}
		}
	})
	t.Run("nothing is queued once the event has started", func(t *testing.T) {
		late := r.signUp(ev, time.Now())
		r.st.Now = time.Now
		r.confirm(late.ID)
		if n := queue(tashkentTime(t, ev.StartsOn, 9, 0)); n != 0 {
			t.Errorf("queued %d reminders at the start, want 0", n)
		}
		if n := r.emailCount(late.ID, domain.EmailReminder); n != 0 {
			t.Errorf("late registration has %d reminders, want 0", n)
		}
	})
}

func TestQueueConfirmRemindersOnceAtHalfTime(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0, func(in *domain.EventInput) { in.ConfirmWithinHours = domain.Some(24) })
	registered := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	reg := r.signUp(ev, registered)
	done := r.signUp(ev, registered)
	r.confirm(done.ID)

	queue := func(now time.Time) int {
		t.Helper()
		r.st.Now = func() time.Time { return now }
		n, err := r.st.QueueConfirmReminders(r.ctx)
		if err != nil {
			t.Fatalf("QueueConfirmReminders: %v", err)
		}
		return n
	}
	if n := queue(registered.Add(12*time.Hour - time.Minute)); n != 0 {
		t.Errorf("queued %d before half time, want 0", n)
	}
	var wg sync.WaitGroup
	counts := make([]int, 4)
	r.st.Now = func() time.Time { return registered.Add(12*time.Hour + time.Minute) }
	for i := range counts {
		wg.Go(func() {
			n, err := r.st.QueueConfirmReminders(r.ctx)
			if err != nil {
				t.Errorf("QueueConfirmReminders: %v", err)
			}
			counts[i] = n
		})
	}
	wg.Wait()
	if sum := counts[0] + counts[1] + counts[2] + counts[3]; sum != 1 {
		t.Errorf("concurrent runs queued %v, want 1 in total", counts)
	}
	if n := queue(registered.Add(20 * time.Hour)); n != 0 {
		t.Errorf("a later run queued %d more, want 0", n)
	}
	if n := r.emailCount(reg.ID, domain.EmailConfirmReminder); n != 1 {
		t.Errorf("pending registration has %d confirm reminders, want 1", n)
	}
	if n := r.emailCount(done.ID, domain.EmailConfirmReminder); n != 0 {
		t.Errorf("confirmed registration has %d confirm reminders, want 0", n)
	}
	t.Run("the reminder names the deadline and carries a link", func(t *testing.T) {
		var p store.EmailPayload
		if err := r.db.GetContext(r.ctx, &p, `
			SELECT payload FROM emails WHERE registration_id = $1 AND kind = 'confirm_reminder'`, reg.ID); err != nil {
			t.Fatal(err)
		}
		if want := registered.Add(24 * time.Hour); p.Deadline == nil || !p.Deadline.Equal(want) {
			t.Errorf("deadline %v, want %s", p.Deadline, want)
		}
		if p.SealedToken == "" {
			t.Error("no sealed link token")
		}
	})
}

func TestARegistrationThatComesBackIsRemindedAgain(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0, func(in *domain.EventInput) { in.ConfirmWithinHours = domain.Some(24) })
	first := time.Now().Add(-72 * time.Hour).UTC().Truncate(time.Second)
	reg := r.signUp(ev, first)

	step := func(now time.Time, job func() (int, error), want int, what string) {
		t.Helper()
		r.st.Now = func() time.Time { return now }
		n, err := job()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n != want {
			t.Fatalf("%s at %s: %d, want %d", what, now, n, want)
		}
	}
	remind := func() (int, error) { return r.st.QueueConfirmReminders(r.ctx) }
	expire := func() (int, error) { return r.st.ExpireUnconfirmed(r.ctx) }

	step(first.Add(13*time.Hour), remind, 1, "first reminder")
	step(first.Add(25*time.Hour), expire, 1, "expiry")

	// The same person registers again: the expired row comes back as a new
	// pending registration with a new deadline.
	again := *reg
	again.ID, again.Status = "", ""
	again.ConsentAt = first.Add(30 * time.Hour)
	res, err := r.st.Register(r.ctx, ev, &again)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Registration.ID != reg.ID || res.Status != domain.StatusPending {
		t.Fatalf("registering again: created %v, id %s, status %s; want the same row back as pending",
			res.Created, res.Registration.ID, res.Status)
	}

	step(first.Add(30*time.Hour+11*time.Hour), remind, 0, "reminder before the new half time")
	step(first.Add(30*time.Hour+13*time.Hour), remind, 1, "reminder for the new registration")
	if n := r.emailCount(reg.ID, domain.EmailConfirmReminder); n != 2 {
		t.Errorf("%d confirm reminders in all, want one per life of the registration", n)
	}
}
