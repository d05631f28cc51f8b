-- +goose Up
-- lock_event_seats is the lock that registrations joining a full event's
-- waiting list hold shared, so that they join in parallel, and that every
-- change giving seats back (a cancellation, an expiry, a capacity raised,
-- a recount) or promoting the waiting list holds alone (store/seats.go).
-- Holding it shared, a registration that sees every seat part empty knows
-- they stay empty until it commits, and a promotion that follows sees it.
-- It is an advisory lock rather than the event's row held FOR SHARE:
-- PostgreSQL queues an advisory lock's requests in order, so a rush of
-- registrations cannot keep a cancellation waiting, where a row's shared
-- lockers let newcomers past an exclusive waiter for as long as they keep
-- coming. The key is the event's id hashed into the second half of a pair
-- whose first half names this lock; two events that share a hash only wait
-- for each other.
-- +goose StatementBegin
CREATE FUNCTION lock_event_seats(ev bigint, shared boolean) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF shared THEN
        PERFORM pg_advisory_xact_lock_shared(1936023924, hashint8(ev));
    ELSE
        PERFORM pg_advisory_xact_lock(1936023924, hashint8(ev));
    END IF;
END
$$;
-- +goose StatementEnd

-- A change of capacity, by whoever writes the events row, spreads the
-- seats left under that lock too.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION seat_parts_follow_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO seat_parts (event_id, part) SELECT NEW.id, g FROM generate_series(0, 15) AS g;
        PERFORM spread_seats(NEW.id, 0);
    ELSIF NEW.capacity IS DISTINCT FROM OLD.capacity THEN
        PERFORM lock_event_seats(NEW.id, false);
        PERFORM spread_seats(NEW.id, (
            SELECT coalesce(sum(held), 0)::integer
            FROM (SELECT held FROM seat_parts WHERE event_id = NEW.id ORDER BY part FOR UPDATE) AS locked));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION seat_parts_follow_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO seat_parts (event_id, part) SELECT NEW.id, g FROM generate_series(0, 15) AS g;
        PERFORM spread_seats(NEW.id, 0);
    ELSIF NEW.capacity IS DISTINCT FROM OLD.capacity THEN
        PERFORM spread_seats(NEW.id, (
            SELECT coalesce(sum(held), 0)::integer
            FROM (SELECT held FROM seat_parts WHERE event_id = NEW.id ORDER BY part FOR UPDATE) AS locked));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP FUNCTION lock_event_seats(bigint, boolean);
