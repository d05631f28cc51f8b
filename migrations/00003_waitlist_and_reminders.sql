-- +goose Up
-- How many days before the first day the reminder goes out (0: none).
ALTER TABLE events ADD COLUMN reminder_days_before integer NOT NULL DEFAULT 1
    CHECK (reminder_days_before BETWEEN 0 AND 30);

-- Set in the same transaction that queues the email, so each reminder is
-- queued exactly once however many workers run.
ALTER TABLE registrations
    ADD COLUMN reminder_queued_at timestamptz,
    ADD COLUMN confirm_reminder_queued_at timestamptz;

-- The periodic jobs look for pending registrations by age and confirmed
-- ones without a reminder; partial indexes keep those scans small.
CREATE INDEX registrations_pending_age ON registrations (created_at) WHERE status = 'pending';
CREATE INDEX registrations_reminder_due ON registrations (event_id)
    WHERE status = 'confirmed' AND reminder_queued_at IS NULL;
-- The waiting list in order.
CREATE INDEX registrations_waitlist ON registrations (event_id, created_at, id) WHERE status = 'waitlisted';

-- +goose Down
DROP INDEX registrations_waitlist;
DROP INDEX registrations_reminder_due;
DROP INDEX registrations_pending_age;
ALTER TABLE registrations DROP COLUMN confirm_reminder_queued_at, DROP COLUMN reminder_queued_at;
ALTER TABLE events DROP COLUMN reminder_days_before;
