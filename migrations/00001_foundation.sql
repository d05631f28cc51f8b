-- +goose Up
CREATE TABLE organizers (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL CHECK (email <> ''),
    name          text NOT NULL CHECK (name <> ''),
    password_hash text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organizers_email_key ON organizers (lower(email));

-- API tokens are stored as SHA-256 hashes only; the plain token is shown once.
CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organizer_id bigint NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE INDEX api_tokens_organizer ON api_tokens (organizer_id);

CREATE TABLE events (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug                   text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title                  text NOT NULL CHECK (title <> ''),
    description            text NOT NULL DEFAULT '',
    venue                  text NOT NULL DEFAULT '',
    city                   text NOT NULL DEFAULT '',
    country                char(2) NOT NULL,
    timezone               text NOT NULL,
    starts_on              date NOT NULL,
    ends_on                date NOT NULL,
    -- Local wall-clock hours of each event day, in the event's time zone.
    day_starts_at          time NOT NULL DEFAULT '09:00',
    day_ends_at            time NOT NULL DEFAULT '18:00',
    -- NULL capacity means unlimited. seats_held counts pending and confirmed
    -- registrations; it is only changed under the event's row lock, and the
    -- CHECK below makes overbooking impossible even if code gets it wrong.
    capacity               integer CHECK (capacity > 0),
    seats_held             integer NOT NULL DEFAULT 0 CHECK (seats_held >= 0),
    registration_opens_at  timestamptz,
    registration_closes_at timestamptz,
    co_organizers          text[] NOT NULL DEFAULT '{}',
    languages              text[] NOT NULL DEFAULT '{en}' CHECK (cardinality(languages) > 0),
    published              boolean NOT NULL DEFAULT true,
    confirm_within_hours   integer NOT NULL DEFAULT 72 CHECK (confirm_within_hours > 0),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on >= starts_on),
    CHECK (day_ends_at > day_starts_at),
    CHECK (capacity IS NULL OR seats_held <= capacity),
    CHECK (registration_closes_at IS NULL OR registration_opens_at IS NULL
           OR registration_closes_at > registration_opens_at)
);
CREATE INDEX events_published_starts ON events (starts_on) WHERE published;

CREATE TABLE event_organizers (
    event_id     bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    organizer_id bigint NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, organizer_id)
);
CREATE INDEX event_organizers_organizer ON event_organizers (organizer_id);

CREATE TABLE registrations (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id     bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    status       text NOT NULL
                 CHECK (status IN ('pending', 'confirmed', 'waitlisted', 'cancelled', 'expired')),
    first_name   text NOT NULL,
    last_name    text NOT NULL,
    email        text NOT NULL,
    phone        text NOT NULL DEFAULT '',
    country      char(2) NOT NULL,
    organization text NOT NULL,
    position     text NOT NULL DEFAULT '',
    role         text NOT NULL
                 CHECK (role IN ('expert', 'practitioner', 'researcher', 'student', 'speaker', 'organizer', 'other')),
    language     text NOT NULL CHECK (language IN ('en', 'ru', 'uz')),
    days         date[] NOT NULL CHECK (cardinality(days) > 0),
    checkin_code text NOT NULL,
    consent_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    confirmed_at timestamptz,
    cancelled_at timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, checkin_code)
);
-- One registration per email and event, whatever the case of the address:
-- concurrent duplicates are stopped here, not in Go.
CREATE UNIQUE INDEX registrations_event_email_key ON registrations (event_id, lower(email));
-- Keyset pagination of an event's registrations, newest last.
CREATE INDEX registrations_event_created ON registrations (event_id, created_at, id);

-- +goose Down
DROP TABLE registrations;
DROP TABLE event_organizers;
DROP TABLE events;
DROP TABLE api_tokens;
DROP TABLE organizers;
