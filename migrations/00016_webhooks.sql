-- +goose Up
-- Signed webhooks (issue 18). An organizer registers an endpoint for all
-- the events they run (event_id NULL) or for one of them. Its secret is
-- kept sealed with SECRET_KEY, because the sender needs it back to sign.
CREATE TABLE webhook_endpoints (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organizer_id          bigint NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    event_id              bigint REFERENCES events (id) ON DELETE CASCADE,
    url                   text NOT NULL CHECK (url <> ''),
    event_types           text[] NOT NULL CHECK (cardinality(event_types) > 0),
    include_personal_data boolean NOT NULL DEFAULT false,
    secret_sealed         text NOT NULL,
    active                boolean NOT NULL DEFAULT true,
    -- Failed attempts since the last delivered one; at WEBHOOK_DISABLE_AFTER
    -- the endpoint is disabled and its owner emailed.
    consecutive_failures  integer NOT NULL DEFAULT 0,
    failing_since         timestamptz,
    disabled_at           timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
-- The triggers look endpoints up by their organizer (and event) among the
-- active ones only; listing is per organizer.
CREATE INDEX webhook_endpoints_active_organizer ON webhook_endpoints (organizer_id) WHERE active;
CREATE INDEX webhook_endpoints_organizer ON webhook_endpoints (organizer_id, id);
CREATE INDEX webhook_endpoints_event ON webhook_endpoints (event_id) WHERE event_id IS NOT NULL;

-- The webhook outbox: one row per endpoint and happening, written by the
-- triggers below in the transaction that caused it, sent by the worker.
-- The id is the webhook-id header, the same on every attempt.
CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    endpoint_id      bigint NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id         bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    registration_id  uuid,
    type             text NOT NULL,
    -- The request body, exactly as it is signed and sent.
    payload          jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'sending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    locked_until     timestamptz,
    last_attempt_at  timestamptz,
    last_status_code integer,
    last_response    text,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('queued', 'sending');
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC);
CREATE INDEX webhook_deliveries_registration ON webhook_deliveries (registration_id) WHERE registration_id IS NOT NULL;

-- webhook_types names what a change of a registration's status means to a
-- subscriber. A status this function does not know (added later) is
-- "registration.updated", so a new status never stops a registration.
-- +goose StatementBegin
CREATE FUNCTION webhook_types(old_status text, new_status text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN old_status IS NULL OR old_status IN ('cancelled', 'expired', 'rejected') THEN
            CASE new_status
                WHEN 'confirmed' THEN ARRAY['registration.created', 'registration.confirmed']
                WHEN 'waitlisted' THEN ARRAY['registration.created', 'registration.waitlisted']
                WHEN 'pending' THEN ARRAY['registration.created']
                WHEN 'awaiting_approval' THEN ARRAY['registration.created']
                WHEN 'cancelled' THEN ARRAY['registration.cancelled']
                WHEN 'expired' THEN ARRAY['registration.expired']
                ELSE ARRAY['registration.updated'] END
        WHEN old_status = 'waitlisted' AND new_status IN ('pending', 'confirmed') THEN ARRAY['registration.promoted']
        ELSE CASE new_status
                WHEN 'confirmed' THEN ARRAY['registration.confirmed']
                WHEN 'cancelled' THEN ARRAY['registration.cancelled']
                WHEN 'waitlisted' THEN ARRAY['registration.waitlisted']
                WHEN 'expired' THEN ARRAY['registration.expired']
                ELSE ARRAY['registration.updated'] END
    END
$$;
-- +goose StatementEnd

-- webhook_enqueue writes one delivery per matching active endpoint of an
-- event, due at once whatever the clock of the process that sends it: the endpoint's owner must still be its owner or an organizer
-- (door staff see no registrations), and the endpoint must cover the event
-- and ask for the type. Personal data goes only to endpoints that asked.
-- +goose StatementBegin
CREATE FUNCTION webhook_enqueue(p_event_id bigint, p_registration_id uuid, p_types text[],
                                p_data jsonb, p_person jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_deliveries (endpoint_id, event_id, registration_id, type, payload, next_attempt_at)
    SELECT w.id, p_event_id, p_registration_id, t.type,
           jsonb_build_object(
               'type', t.type,
               'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
               'data', CASE WHEN w.include_personal_data THEN p_data || jsonb_build_object('person', p_person)
                            ELSE p_data END),
           '-infinity'
    FROM event_organizers eo
    JOIN webhook_endpoints w ON w.organizer_id = eo.organizer_id AND w.active
    CROSS JOIN unnest(p_types) AS t(type)
    WHERE eo.event_id = p_event_id AND eo.role IN ('owner', 'organizer')
      AND (w.event_id IS NULL OR w.event_id = p_event_id)
      AND t.type = ANY (w.event_types);
END
$$;
-- +goose StatementEnd

-- webhook_wanted is the triggers' first question, so that an event whose
-- team has no active endpoint pays one indexed lookup and builds no payload.
-- +goose StatementBegin
CREATE FUNCTION webhook_wanted(p_event_id bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM event_organizers eo
        JOIN webhook_endpoints w ON w.organizer_id = eo.organizer_id AND w.active
        WHERE eo.event_id = p_event_id)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION webhook_registration_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_status text;
BEGIN
    IF NOT webhook_wanted(NEW.event_id) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        old_status := OLD.status;
    END IF;
    PERFORM webhook_enqueue(NEW.event_id, NEW.id, webhook_types(old_status, NEW.status),
        jsonb_build_object(
            'registration_id', NEW.id,
            'event', (SELECT e.slug FROM events e WHERE e.id = NEW.event_id),
            'status', NEW.status,
            'previous_status', old_status,
            'created_at', NEW.created_at,
            'confirmed_at', NEW.confirmed_at,
            'cancelled_at', NEW.cancelled_at,
            'updated_at', NEW.updated_at),
        jsonb_build_object('first_name', NEW.first_name, 'last_name', NEW.last_name,
            'email', NEW.email, 'country', NEW.country));
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION webhook_checkin_created() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r registrations%ROWTYPE;
BEGIN
    IF NOT webhook_wanted(NEW.event_id) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO r FROM registrations WHERE id = NEW.registration_id;
    PERFORM webhook_enqueue(NEW.event_id, NEW.registration_id, ARRAY['checkin.created'],
        jsonb_build_object(
            'registration_id', NEW.registration_id,
            'event', (SELECT e.slug FROM events e WHERE e.id = NEW.event_id),
            'status', r.status,
            'day', NEW.day,
            'checked_in_at', NEW.checked_in_at),
        jsonb_build_object('first_name', r.first_name, 'last_name', r.last_name,
            'email', r.email, 'country', r.country));
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- Erasure takes the person out of every delivery, sent or not: the ids and
-- states stay, as in the audit log.
-- +goose StatementBegin
CREATE FUNCTION webhook_registration_erased() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE webhook_deliveries SET payload = payload #- '{data,person}'
    WHERE registration_id = NEW.id AND payload #> '{data,person}' IS NOT NULL;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER registrations_webhook_insert AFTER INSERT ON registrations
    FOR EACH ROW EXECUTE FUNCTION webhook_registration_changed();
CREATE TRIGGER registrations_webhook_status AFTER UPDATE OF status ON registrations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION webhook_registration_changed();
CREATE TRIGGER registrations_webhook_erased AFTER UPDATE OF erased_at ON registrations
    FOR EACH ROW WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL) EXECUTE FUNCTION webhook_registration_erased();
CREATE TRIGGER checkins_webhook_insert AFTER INSERT ON checkins
    FOR EACH ROW EXECUTE FUNCTION webhook_checkin_created();

-- +goose Down
DROP TRIGGER checkins_webhook_insert ON checkins;
DROP TRIGGER registrations_webhook_erased ON registrations;
DROP TRIGGER registrations_webhook_status ON registrations;
DROP TRIGGER registrations_webhook_insert ON registrations;
DROP FUNCTION webhook_registration_erased();
DROP FUNCTION webhook_checkin_created();
DROP FUNCTION webhook_registration_changed();
DROP FUNCTION webhook_wanted(bigint);
DROP FUNCTION webhook_enqueue(bigint, uuid, text[], jsonb, jsonb);
DROP FUNCTION webhook_types(text, text);
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
