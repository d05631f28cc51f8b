-- +goose Up
-- Who may register (issue 17): an invitation-only event takes a
-- participant's registration only through a personal invitation link.
ALTER TABLE events ADD COLUMN invitation_only boolean NOT NULL DEFAULT false;

-- A country's focal point: an address an organizer asked to nominate up to
-- quota people for one delegation. nominated counts the nominations made,
-- and the CHECK keeps it within the quota whatever runs at once: a
-- nomination takes its place by incrementing it.
CREATE TABLE focal_points (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    delegation  text NOT NULL CHECK (delegation ~ '^[A-Z][A-Z0-9]{1,15}$'),
    email       text NOT NULL,
    language    text NOT NULL DEFAULT 'en',
    quota       integer NOT NULL CHECK (quota BETWEEN 1 AND 1000),
    nominated   integer NOT NULL DEFAULT 0 CHECK (nominated >= 0 AND nominated <= quota),
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, delegation)
);

-- A person invited to register: imported by an organizer or nominated by a
-- focal point. Only the hash of their link's token is kept. The link is
-- used by the registration it made (registration_id); opened_at and
-- declined_at record the person's visit and refusal; message_id names the
-- invitation's email, whose status says whether it went out.
CREATE TABLE invitees (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    email           text NOT NULL,
    first_name      text NOT NULL DEFAULT '',
    last_name       text NOT NULL DEFAULT '',
    delegation      text CHECK (delegation ~ '^[A-Z][A-Z0-9]{1,15}$'),
    organization    text NOT NULL DEFAULT '',
    position        text NOT NULL DEFAULT '',
    language        text NOT NULL DEFAULT 'en',
    focal_point_id  bigint REFERENCES focal_points (id) ON DELETE SET NULL,
    token_hash      bytea NOT NULL UNIQUE,
    message_id      text NOT NULL,
    registration_id uuid REFERENCES registrations (id) ON DELETE SET NULL,
    opened_at       timestamptz,
    registered_at   timestamptz,
    declined_at     timestamptz,
    erased_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
-- One invitation per address and event: a re-import adds nobody twice.
CREATE UNIQUE INDEX invitees_event_email ON invitees (event_id, lower(email));
CREATE INDEX invitees_registration ON invitees (registration_id);
CREATE INDEX invitees_focal_point ON invitees (focal_point_id);

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'event.create', 'event.update', 'registration.cancel', 'registration.promote',
    'registration.erase', 'registration.walk_in', 'registration.update', 'registrations.export',
    'checkin.create', 'checkin.delete', 'member.add', 'member.role', 'member.remove',
    'invitees.import', 'nomination.quota', 'nomination.create'));

-- +goose Down
DELETE FROM audit_log WHERE action IN ('invitees.import', 'nomination.quota', 'nomination.create');
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'event.create', 'event.update', 'registration.cancel', 'registration.promote',
    'registration.erase', 'registration.walk_in', 'registration.update', 'registrations.export',
    'checkin.create', 'checkin.delete', 'member.add', 'member.role', 'member.remove'));
DROP TABLE invitees;
DROP TABLE focal_points;
ALTER TABLE events DROP COLUMN invitation_only;
