-- +goose Up
-- An event's seats are counted in sixteen parts instead of one column of
-- its row, so that registrations no longer queue for one row lock
-- (docs/PERFORMANCE.md, "Seats in parts"). A registration takes a seat from
-- one part it can lock at once (held + 1, free - 1); a freed seat goes back
-- to a part (held - 1, free + 1). Only the sums mean anything: the seats
-- held are sum(held), and for an event with a capacity sum(held) +
-- sum(free) = capacity always, so free >= 0 in every part makes overbooking
-- impossible whatever the code does. free is NULL in every part of an event
-- without capacity.
CREATE TABLE seat_parts (
    event_id bigint   NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    part     smallint NOT NULL CHECK (part BETWEEN 0 AND 15),
    held     integer  NOT NULL DEFAULT 0,
    free     integer  CHECK (free >= 0),
    PRIMARY KEY (event_id, part)
) WITH (fillfactor = 50); -- room on each page for the constant updates to stay HOT

-- spread_seats sets an event's parts to held_now seats held and its
-- capacity's remaining seats spread evenly over the parts. The caller holds
-- every part's lock (or the event is new); below capacity the CHECK fails.
-- +goose StatementBegin
CREATE FUNCTION spread_seats(ev bigint, held_now integer) RETURNS void LANGUAGE sql AS $$
    UPDATE seat_parts p
    SET held = CASE WHEN p.part = 0 THEN held_now ELSE 0 END,
        free = CASE WHEN e.capacity IS NULL THEN NULL
               ELSE (e.capacity - held_now) / 16
                    + CASE WHEN p.part < (e.capacity - held_now) % 16 THEN 1 ELSE 0 END END
    FROM events e
    WHERE e.id = ev AND p.event_id = ev;
$$;
-- +goose StatementEnd

-- event_seats_held is the seats an event's registrations hold.
-- +goose StatementBegin
CREATE FUNCTION event_seats_held(ev bigint) RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(held), 0)::integer FROM seat_parts WHERE event_id = ev;
$$;
-- +goose StatementEnd

-- A new event gets its parts, and a change of capacity spreads the seats
-- left anew, whoever writes the events row (the store, seed scripts, the
-- benchmark's generator).
-- +goose StatementBegin
CREATE FUNCTION seat_parts_follow_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER seat_parts_follow_capacity AFTER INSERT OR UPDATE OF capacity ON events
    FOR EACH ROW EXECUTE FUNCTION seat_parts_follow_capacity();

INSERT INTO seat_parts (event_id, part) SELECT e.id, g FROM events e, generate_series(0, 15) AS g;
SELECT spread_seats(id, seats_held) FROM events;
ALTER TABLE events DROP COLUMN seats_held;

-- +goose Down
ALTER TABLE events ADD COLUMN seats_held integer NOT NULL DEFAULT 0 CHECK (seats_held >= 0);
UPDATE events SET seats_held = event_seats_held(id);
ALTER TABLE events ADD CHECK (capacity IS NULL OR seats_held <= capacity);
DROP TRIGGER seat_parts_follow_capacity ON events;
DROP FUNCTION seat_parts_follow_capacity();
DROP FUNCTION event_seats_held(bigint);
DROP FUNCTION spread_seats(bigint, integer);
DROP TABLE seat_parts;
