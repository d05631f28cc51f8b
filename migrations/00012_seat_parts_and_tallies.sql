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


-- The statistics are counted as they change instead of from every row on
-- every request (docs/PERFORMANCE.md, "Statistics from tallies"). A
-- registration row of registration_tallies (day NULL) counts registrations
-- by key (country, role, delegation: the delegation, else the country),
-- status, and whether they checked in on one of the event's days; a
-- check-in row (status '') counts check-ins by key and day. Writers only
-- append rows of +n or -n, so concurrent registrations never wait for one
-- another here; reading folds the event's appended rows into one folded
-- row per group (store/stats.go). Only sums mean anything.
CREATE TABLE registration_tallies (
    event_id   bigint  NOT NULL,
    country    text    NOT NULL,
    role       text    NOT NULL,
    delegation text    NOT NULL,
    status     text    NOT NULL,
    day        date,
    attended   boolean NOT NULL,
    n          integer NOT NULL,
    folded     boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX registration_tallies_folded ON registration_tallies
    (event_id, country, role, delegation, status, coalesce(day, 'epoch'::date), attended) WHERE folded;
CREATE INDEX registration_tallies_unfolded ON registration_tallies (event_id) WHERE NOT folded;

-- tally_contribution is what registrations (a FROM item naming their
-- rows, tbl) add to the tallies with the check-ins they have now, times
-- sign, as the text of a query of registration_tallies' counted columns,
-- so that a trigger can name its transition table in it. Events that no
-- longer exist (a cascade) get nothing.
-- +goose StatementBegin
CREATE FUNCTION tally_contribution(tbl text, sign integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format($q$
        SELECT event_id, country, role, delegation, status, day, attended, sum(n)::int AS n
        FROM (
            SELECT r.event_id, r.country::text AS country, r.role, coalesce(r.delegation, r.country::text) AS delegation,
                r.status, NULL::date AS day,
                EXISTS (SELECT 1 FROM checkins c WHERE c.registration_id = r.id
                        AND c.day BETWEEN e.starts_on AND e.ends_on) AS attended, %2$s AS n
            FROM %1$s r JOIN events e ON e.id = r.event_id
            UNION ALL
            SELECT r.event_id, r.country::text, r.role, coalesce(r.delegation, r.country::text), '', c.day, false, %2$s
            FROM %1$s r JOIN events e ON e.id = r.event_id JOIN checkins c ON c.registration_id = r.id
        ) AS contribution
        GROUP BY event_id, country, role, delegation, status, day, attended$q$, tbl, sign);
$$;
-- +goose StatementEnd

-- rebuild_tallies counts an event's tallies afresh from its registrations
-- and check-ins, in one statement (one snapshot; the old rows are deleted,
-- in the InitPlan, before the new ones go in), for the rare changes that
-- are not counted as they happen: registrations deleted, a check-in moved,
-- the event's days changed.
-- +goose StatementBegin
CREATE FUNCTION rebuild_tallies(ev bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'WITH gone AS (DELETE FROM registration_tallies WHERE event_id = $1 RETURNING 1)
        INSERT INTO registration_tallies (event_id, country, role, delegation, status, day, attended, n, folded)
        SELECT c.*, true FROM ('
        || tally_contribution('(SELECT * FROM registrations WHERE event_id = $1)', 1)
        || ') AS c WHERE (SELECT count(*) FROM gone) >= 0'
        USING ev;
END
$$;
-- +goose StatementEnd

-- Registrations are counted as they are inserted or change status or key
-- (not for other columns, such as a reminder's stamp); deleting them, which
-- only reseeding does, counts their events afresh.
-- +goose StatementBegin
CREATE FUNCTION tally_registrations() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed constant text := '(SELECT %s.* FROM before b JOIN after a ON a.id = b.id
        WHERE (a.event_id, a.status, a.country, a.role, a.delegation) IS DISTINCT FROM
              (b.event_id, b.status, b.country, b.role, b.delegation))';
    insert constant text := 'INSERT INTO registration_tallies (event_id, country, role, delegation, status, day, attended, n) ';
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- tally_contribution('added', 1), written out: static SQL is
        -- planned once per session, where EXECUTE parses and plans on
        -- every registration.
        INSERT INTO registration_tallies (event_id, country, role, delegation, status, day, attended, n)
        SELECT event_id, country, role, delegation, status, day, attended, sum(n)::int
        FROM (
            SELECT r.event_id, r.country::text AS country, r.role, coalesce(r.delegation, r.country::text) AS delegation,
                r.status, NULL::date AS day,
                EXISTS (SELECT 1 FROM checkins c WHERE c.registration_id = r.id
                        AND c.day BETWEEN e.starts_on AND e.ends_on) AS attended, 1 AS n
            FROM added r JOIN events e ON e.id = r.event_id
            UNION ALL
            SELECT r.event_id, r.country::text, r.role, coalesce(r.delegation, r.country::text), '', c.day, false, 1
            FROM added r JOIN events e ON e.id = r.event_id JOIN checkins c ON c.registration_id = r.id
        ) AS contribution
        GROUP BY event_id, country, role, delegation, status, day, attended;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Every INSERT … ON CONFLICT DO UPDATE (every registration) fires
        -- this, mostly with nothing updated.
        IF NOT EXISTS (SELECT 1 FROM after) THEN
            RETURN NULL;
        END IF;
        EXECUTE insert || tally_contribution(format(changed, 'b'), -1)
            || ' UNION ALL ' || tally_contribution(format(changed, 'a'), 1);
    ELSE
        PERFORM rebuild_tallies(ev) FROM (SELECT DISTINCT event_id AS ev FROM removed) AS events_touched;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tally_registrations_insert AFTER INSERT ON registrations
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION tally_registrations();
CREATE TRIGGER tally_registrations_update AFTER UPDATE ON registrations
    REFERENCING OLD TABLE AS before NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION tally_registrations();
CREATE TRIGGER tally_registrations_delete AFTER DELETE ON registrations
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION tally_registrations();

-- A check-in counts on its day, and moves its registration to "attended"
-- when it is the first within the event's days (a removed one, back when
-- it was the last). A check-in whose registration is gone (a cascade)
-- counts nothing: the registration's own trigger counts afresh.
-- +goose StatementBegin
CREATE FUNCTION tally_checkins() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign integer := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM rebuild_tallies(ev) FROM (SELECT DISTINCT event_id AS ev FROM after) AS events_touched;
        RETURN NULL;
    END IF;
    EXECUTE format($q$
        INSERT INTO registration_tallies (event_id, country, role, delegation, status, day, attended, n)
        SELECT event_id, country, role, delegation, status, day, attended, sum(n)::int
        FROM (
        SELECT r.event_id, r.country::text AS country, r.role, coalesce(r.delegation, r.country::text) AS delegation,
            '' AS status, c.day, false AS attended, %2$s AS n
        FROM %1$s c JOIN registrations r ON r.id = c.registration_id
        UNION ALL
        SELECT r.event_id, r.country::text, r.role, coalesce(r.delegation, r.country::text), r.status, NULL, flip.attended, flip.n * %2$s
        FROM (SELECT DISTINCT registration_id FROM %1$s) AS touched
        JOIN registrations r ON r.id = touched.registration_id
        JOIN events e ON e.id = r.event_id
        CROSS JOIN (VALUES (true, 1), (false, -1)) AS flip (attended, n)
        WHERE EXISTS (SELECT 1 FROM %1$s c WHERE c.registration_id = r.id AND c.day BETWEEN e.starts_on AND e.ends_on)
          AND NOT EXISTS (SELECT 1 FROM checkins c WHERE c.registration_id = r.id AND c.day BETWEEN e.starts_on AND e.ends_on
                          AND NOT EXISTS (SELECT 1 FROM %1$s t WHERE t.registration_id = c.registration_id AND t.day = c.day))
        ) AS contribution
        GROUP BY event_id, country, role, delegation, status, day, attended
        $q$, CASE TG_OP WHEN 'INSERT' THEN 'added' ELSE 'removed' END, sign);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tally_checkins_insert AFTER INSERT ON checkins
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION tally_checkins();
CREATE TRIGGER tally_checkins_update AFTER UPDATE ON checkins
    REFERENCING OLD TABLE AS before NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION tally_checkins();
CREATE TRIGGER tally_checkins_delete AFTER DELETE ON checkins
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION tally_checkins();

-- +goose StatementBegin
CREATE FUNCTION tally_event_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM registration_tallies WHERE event_id = OLD.id;
    ELSIF (NEW.starts_on, NEW.ends_on) IS DISTINCT FROM (OLD.starts_on, OLD.ends_on) THEN
        PERFORM rebuild_tallies(NEW.id);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tally_event_days AFTER UPDATE OF starts_on, ends_on OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION tally_event_days();

SELECT rebuild_tallies(id) FROM events;

-- +goose Down
DROP TRIGGER tally_event_days ON events;
DROP TRIGGER tally_checkins_insert ON checkins;
DROP TRIGGER tally_checkins_update ON checkins;
DROP TRIGGER tally_checkins_delete ON checkins;
DROP TRIGGER tally_registrations_insert ON registrations;
DROP TRIGGER tally_registrations_update ON registrations;
DROP TRIGGER tally_registrations_delete ON registrations;
DROP FUNCTION tally_event_days();
DROP FUNCTION tally_checkins();
DROP FUNCTION tally_registrations();
DROP FUNCTION rebuild_tallies(bigint);
DROP FUNCTION tally_contribution(text, integer);
DROP TABLE registration_tallies;
ALTER TABLE events ADD COLUMN seats_held integer NOT NULL DEFAULT 0 CHECK (seats_held >= 0);
UPDATE events SET seats_held = event_seats_held(id);
ALTER TABLE events ADD CHECK (capacity IS NULL OR seats_held <= capacity);
DROP TRIGGER seat_parts_follow_capacity ON events;
DROP FUNCTION seat_parts_follow_capacity();
DROP FUNCTION event_seats_held(bigint);
DROP FUNCTION spread_seats(bigint, integer);
DROP TABLE seat_parts;
