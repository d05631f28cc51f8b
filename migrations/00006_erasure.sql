-- +goose Up
-- Right to be forgotten: an erased registration keeps only what statistics
-- need (event, status, country, role, days, times) and loses its identity.
ALTER TABLE registrations ADD COLUMN erased_at timestamptz;

-- Personal data of an event's participants is erased automatically this
-- many days after the event ends.
ALTER TABLE events ADD COLUMN retention_days integer NOT NULL DEFAULT 365
    CHECK (retention_days BETWEEN 1 AND 3650);

-- +goose Down
ALTER TABLE events DROP COLUMN retention_days;
ALTER TABLE registrations DROP COLUMN erased_at;
