-- +goose Up
-- A repeated registration request gets its links again at most a few times
-- an hour (store's registeredAgain). The count of emails already sent to
-- the address must be taken after the registration's row lock is held, so
-- that two requests at once cannot both count below the limit; within one
-- statement that is impossible (its snapshot is taken before it waits for
-- the lock), but a VOLATILE function's own queries each take a new one.
-- This lets the repeat be one statement committed on its own, costing about
-- the time of a new registration (TestRepeatedRegistrationIsIndistinguishable).
-- +goose StatementBegin
CREATE FUNCTION emails_to_address_after_lock(p_event bigint, p_address text, p_since timestamptz, p_gone text[])
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    current_status text;
    n bigint;
BEGIN
    -- -1: the registration is gone, or its status is one of p_gone
    -- (cancelled, expired: it is to start afresh, not be repeated).
    SELECT status INTO current_status FROM registrations
    WHERE event_id = p_event AND lower(email) = lower(p_address) FOR NO KEY UPDATE;
    IF NOT FOUND OR current_status = ANY(p_gone) THEN
        RETURN -1;
    END IF;
    SELECT count(*) INTO n FROM emails
    WHERE event_id = p_event AND lower(recipient) = lower(p_address) AND created_at > p_since;
    RETURN n;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION emails_to_address_after_lock(bigint, text, timestamptz, text[]);
