-- +goose Up
-- Secret links sent by email. Only the SHA-256 of a token is stored, so a
-- database dump holds no working link.
CREATE TABLE registration_tokens (
    token_hash      bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    registration_id uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL
);
CREATE INDEX registration_tokens_registration ON registration_tokens (registration_id);

-- The outbox: one row per email, written in the same transaction as the
-- change that causes it, sent later by the worker.
CREATE TABLE emails (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    registration_id uuid REFERENCES registrations (id) ON DELETE CASCADE,
    kind            text NOT NULL,
    language        text NOT NULL,
    recipient       text NOT NULL,
    recipient_name  text NOT NULL DEFAULT '',
    -- Kind-specific data; the link token inside is sealed with SECRET_KEY
    -- and wiped once the email is sent.
    payload         jsonb NOT NULL DEFAULT '{}',
    -- Chosen at enqueue time and reused by every attempt, so a resend after
    -- a crash carries the same Message-ID and mail clients de-duplicate it.
    message_id      text NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
-- The worker's claim query: due rows only, oldest first.
CREATE INDEX emails_due ON emails (next_attempt_at, id) WHERE status IN ('queued', 'sending');
CREATE INDEX emails_event_status ON emails (event_id, status, id);
CREATE INDEX emails_registration ON emails (registration_id);

-- Per-address rate limit on emails: "how many did this address get lately".
CREATE INDEX emails_recipient_recent ON emails (event_id, lower(recipient), created_at);

-- When the participant proved the address by following an emailed link. A
-- waitlisted registration keeps its place and status but is promoted only
-- once its address is verified.
ALTER TABLE registrations ADD COLUMN email_verified_at timestamptz;

-- +goose Down
ALTER TABLE registrations DROP COLUMN email_verified_at;
DROP TABLE emails;
DROP TABLE registration_tokens;
