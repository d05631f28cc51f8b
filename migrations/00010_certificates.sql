-- +goose Up
-- An event's certificate settings (issue 19): who earns a certificate of
-- attendance, the hours it states and who signs it. Their own table, one
-- row per event that offers certificates: an event without a row gives
-- none, so no certificate goes out before an organizer has said who signs.
CREATE TABLE event_certificates (
	event_id        bigint PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
	rule            text NOT NULL CHECK (rule IN ('every_day', 'min_days')),
	min_days        integer NOT NULL DEFAULT 0 CHECK (min_days >= 0),
	hours           integer NOT NULL DEFAULT 0 CHECK (hours >= 0),
	signatory_name  text NOT NULL,
	signatory_title text NOT NULL DEFAULT '',
	updated_at      timestamptz NOT NULL DEFAULT now()
);

-- When the email with a link to the person's certificate was queued: once
-- each, like the reminders.
ALTER TABLE registrations ADD COLUMN certificate_queued_at timestamptz;

-- +goose Down
ALTER TABLE registrations DROP COLUMN certificate_queued_at;
DROP TABLE event_certificates;
