-- +goose Up
-- An event's texts in other languages: {"ru": {"title": …, "venue": …}, …}.
-- Empty fields fall back to the event's main text (domain.Event.In).
ALTER TABLE events ADD COLUMN translations jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(translations) = 'object');

-- A team per event: one owner (who created it) and colleagues as
-- organizers or door staff. Where an event had several organizers before
-- roles existed, the earliest account keeps the event and the others
-- become organizers.
ALTER TABLE event_organizers
    ADD COLUMN role text NOT NULL DEFAULT 'owner' CHECK (role IN ('owner', 'organizer', 'door')),
    ADD COLUMN added_at timestamptz NOT NULL DEFAULT now();
UPDATE event_organizers eo SET role = 'organizer'
WHERE eo.organizer_id <> (SELECT min(x.organizer_id) FROM event_organizers x WHERE x.event_id = eo.event_id);
CREATE UNIQUE INDEX event_organizers_one_owner ON event_organizers (event_id) WHERE role = 'owner';

-- Invitations to set a password, for team members without one. Only the
-- SHA-256 of the emailed token is stored; used_at makes a link single-use.
CREATE TABLE invitations (
    token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    organizer_id bigint NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    event_id     bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);
CREATE INDEX invitations_organizer ON invitations (organizer_id);

-- Who did what and when, per event. Entries name participants by
-- registration id only (no foreign key: erasure anonymizes a registration
-- and leaves the log alone), and team members by account.
CREATE TABLE audit_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    at              timestamptz NOT NULL DEFAULT now(),
    actor_id        bigint REFERENCES organizers (id) ON DELETE SET NULL,
    action          text NOT NULL CHECK (action IN (
                        'event.create', 'event.update', 'registration.cancel', 'registration.promote',
                        'registration.erase', 'registration.walk_in', 'registrations.export',
                        'checkin.create', 'checkin.delete', 'member.add', 'member.role', 'member.remove')),
    registration_id uuid,
    day             date,
    member_id       bigint REFERENCES organizers (id) ON DELETE SET NULL,
    detail          jsonb NOT NULL DEFAULT '{}'
);
-- The log is read per event, newest first, a page at a time.
CREATE INDEX audit_log_event ON audit_log (event_id, id DESC);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE invitations;
DROP INDEX event_organizers_one_owner;
ALTER TABLE event_organizers DROP COLUMN added_at, DROP COLUMN role;
ALTER TABLE events DROP COLUMN translations;
