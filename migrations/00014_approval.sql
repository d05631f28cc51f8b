-- +goose Up
-- Events that accept each participant (issue 17): a registration for one
-- waits as awaiting_approval, holding no seat, until an organizer approves
-- it (then it takes a seat, or the waiting list) or rejects it.
ALTER TABLE events ADD COLUMN requires_approval boolean NOT NULL DEFAULT false;

ALTER TABLE registrations DROP CONSTRAINT registrations_status_check;
ALTER TABLE registrations ADD CONSTRAINT registrations_status_check CHECK (status IN (
    'pending', 'confirmed', 'waitlisted', 'cancelled', 'expired', 'awaiting_approval', 'rejected'));

-- The organizers' list of applications to decide on.
CREATE INDEX registrations_awaiting_approval ON registrations (event_id, created_at, id)
    WHERE status = 'awaiting_approval';

-- The actions of 00013 (invitations and nominations) stay, and approvals
-- and rejections join them.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'event.create', 'event.update', 'registration.cancel', 'registration.promote',
    'registration.erase', 'registration.walk_in', 'registration.update', 'registrations.export',
    'checkin.create', 'checkin.delete', 'member.add', 'member.role', 'member.remove',
    'invitees.import', 'nomination.quota', 'nomination.create',
    'registration.approve', 'registration.reject'));

-- Visa invitation letters (issue 17): an event's settings (NULL: it offers
-- none), and the passport details of each participant who asked for a
-- letter, apart from the registration so that erasure deletes them whole.
ALTER TABLE events ADD COLUMN visa_letters jsonb;

CREATE TABLE registration_visa (
    registration_id uuid PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
    passport_name   text NOT NULL,
    passport_number text NOT NULL,
    nationality     text NOT NULL,
    date_of_birth   date NOT NULL,
    passport_expiry date NOT NULL,
    created_at      timestamptz NOT NULL
);

-- +goose Down
DROP TABLE registration_visa;
ALTER TABLE events DROP COLUMN visa_letters;
DELETE FROM audit_log WHERE action IN ('registration.approve', 'registration.reject');
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'event.create', 'event.update', 'registration.cancel', 'registration.promote',
    'registration.erase', 'registration.walk_in', 'registration.update', 'registrations.export',
    'checkin.create', 'checkin.delete', 'member.add', 'member.role', 'member.remove',
    'invitees.import', 'nomination.quota', 'nomination.create'));
DROP INDEX registrations_awaiting_approval;
UPDATE registrations SET status = 'cancelled', cancelled_at = coalesce(cancelled_at, now())
    WHERE status IN ('awaiting_approval', 'rejected');
ALTER TABLE registrations DROP CONSTRAINT registrations_status_check;
ALTER TABLE registrations ADD CONSTRAINT registrations_status_check CHECK (status IN (
    'pending', 'confirmed', 'waitlisted', 'cancelled', 'expired'));
ALTER TABLE events DROP COLUMN requires_approval;
