-- +goose Up
-- (id, event_id) is unique because id is; declaring it lets check-ins
-- reference both columns, so a check-in can never name one event while
-- pointing at another event's registration.
ALTER TABLE registrations ADD CONSTRAINT registrations_id_event_key UNIQUE (id, event_id);

-- Attendance: one row per person and event day. The primary key makes a
-- second check-in of the same person on the same day impossible, whatever
-- the number of desks at the door; the store inserts with ON CONFLICT DO
-- NOTHING and answers with the first record.
CREATE TABLE checkins (
    registration_id uuid NOT NULL,
    event_id        bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    day             date NOT NULL,
    checked_in_at   timestamptz NOT NULL DEFAULT now(),
    -- Who let the person in; kept (as NULL) when the organizer is deleted.
    checked_in_by   bigint REFERENCES organizers (id) ON DELETE SET NULL,
    PRIMARY KEY (registration_id, day),
    FOREIGN KEY (registration_id, event_id) REFERENCES registrations (id, event_id) ON DELETE CASCADE
);
-- Statistics count an event's check-ins per day.
CREATE INDEX checkins_event_day ON checkins (event_id, day);

-- +goose Down
DROP TABLE checkins;
ALTER TABLE registrations DROP CONSTRAINT registrations_id_event_key;
