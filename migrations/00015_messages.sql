-- +goose Up
-- Messages from an event's organizers to the participants that match a
-- filter (issue 18): the subject and body by language, the filter as the
-- dashboard and the API give it, and when it goes out.
CREATE TABLE messages (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    -- Who wrote it; kept (as NULL) when the account is deleted.
    author_id   bigint REFERENCES organizers (id) ON DELETE SET NULL,
    -- {"en": {"subject": "...", "body": "..."}, "ru": {...}}; the event's
    -- main language must be there, the others fall back to it.
    texts       jsonb NOT NULL,
    filter      jsonb NOT NULL DEFAULT '{}',
    state       text NOT NULL DEFAULT 'draft'
                CHECK (state IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled')),
    send_at     timestamptz,
    sent_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (state <> 'scheduled' OR send_at IS NOT NULL)
);
CREATE INDEX messages_event ON messages (event_id, id);
-- The worker's periodic job looks for scheduled messages that are due.
CREATE INDEX messages_due ON messages (send_at) WHERE state = 'scheduled';

-- Who a message was written to, one row each: a send (or a second run of
-- the filter, or a send interrupted and run again) inserts only people not
-- yet here, with their outbox row, so nobody is written to twice.
CREATE TABLE message_recipients (
    message_id      bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    registration_id uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    email_id        bigint NOT NULL REFERENCES emails (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, registration_id)
);
CREATE INDEX message_recipients_email ON message_recipients (email_id);
CREATE INDEX message_recipients_registration ON message_recipients (registration_id);

-- Participants who asked (with the List-Unsubscribe link, RFC 8058) to get
-- no more organizer messages about an event. Transactional emails still go.
CREATE TABLE message_optouts (
    registration_id uuid PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
    event_id        bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Organizer messages count against their own, higher, per-address limit.
CREATE INDEX emails_recipient_messages ON emails (event_id, lower(recipient), created_at) WHERE kind = 'message';

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'event.create', 'event.update', 'registration.cancel', 'registration.promote',
    'registration.erase', 'registration.walk_in', 'registration.update', 'registrations.export',
    'checkin.create', 'checkin.delete', 'member.add', 'member.role', 'member.remove',
    'invitees.import', 'nomination.quota', 'nomination.create',
    'registration.approve', 'registration.reject', 'message.send'));

-- +goose Down
DELETE FROM audit_log WHERE action = 'message.send';
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'event.create', 'event.update', 'registration.cancel', 'registration.promote',
    'registration.erase', 'registration.walk_in', 'registration.update', 'registrations.export',
    'checkin.create', 'checkin.delete', 'member.add', 'member.role', 'member.remove',
    'invitees.import', 'nomination.quota', 'nomination.create',
    'registration.approve', 'registration.reject'));
DELETE FROM emails WHERE kind = 'message';
DROP INDEX emails_recipient_messages;
DROP TABLE message_optouts;
DROP TABLE message_recipients;
DROP TABLE messages;
