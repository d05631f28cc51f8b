package domain

import "testing"

func TestSeatRules(t *testing.T) {
	two := 2
	full := &Event{Capacity: &two, SeatsHeld: 2}
	roomy := &Event{Capacity: &two, SeatsHeld: 1}
	unlimited := &Event{SeatsHeld: 500}
	waiting := &Registration{Status: StatusWaitlisted}

	t.Run("capacity may not drop below the seats held", func(t *testing.T) {
		one := 1
		low := &Event{Capacity: &one, SeatsHeld: 2}
		e, ok := AsError(low.CheckCapacity())
		if !ok || e.Code != EConflict || e.Extra["seats_held"] != 2 {
			t.Errorf("CheckCapacity = %v, want conflict with seats_held 2", e)
		}
		for _, ev := range []*Event{full, roomy, unlimited} {
			if err := ev.CheckCapacity(); err != nil {
				t.Errorf("CheckCapacity(%+v) = %v", ev, err)
			}
		}
	})
	t.Run("promotion needs a waitlisted registration and a free seat", func(t *testing.T) {
		promote := func(reg *Registration, ev *Event) error {
			_, err := Next(reg, Promote, ByOrganizer, ev)
			return err
		}
		if err := promote(waiting, roomy); err != nil {
			t.Errorf("roomy: %v", err)
		}
		if err := promote(waiting, unlimited); err != nil {
			t.Errorf("unlimited: %v", err)
		}
		if e, _ := AsError(promote(waiting, full)); e == nil || e.Code != EConflict || e.Extra["capacity"] != 2 {
			t.Errorf("promotion into a full event: %v, want a conflict naming the capacity", e)
		}
		if ErrorCode(promote(&Registration{Status: StatusPending}, roomy)) != EConflict {
			t.Error("promotion of a pending registration allowed")
		}
	})
	t.Run("check-in at the door", func(t *testing.T) {
		cases := []struct {
			status      Status
			confirm, ok bool
		}{
			{StatusConfirmed, false, true},
			{StatusPending, true, true},
			{StatusWaitlisted, false, false},
			{StatusCancelled, false, false},
			{StatusExpired, false, false},
		}
		for _, c := range cases {
			step, err := NextCheckIn(&Registration{Status: c.status}, roomy, "code")
			if confirm := step.Confirms(); confirm != c.confirm || (err == nil) != c.ok {
				t.Errorf("%s: confirm %v, err %v", c.status, step.Confirms(), err)
			}
			if err != nil {
				if e, _ := AsError(err); e.Code != EInvalid || e.Fields[0].Field != "code" || e.Fields[0].Code != "status" {
					t.Errorf("%s: error %+v, want invalid on field code", c.status, e)
				}
			}
		}
	})
}
