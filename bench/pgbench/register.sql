-- pgbench baseline of one registration: the SQL that POST
-- /api/v1/events/{slug}/registrations runs for a new address: the
-- transaction of store.registerNew, one statement between BEGIN and COMMIT,
-- against the same schema and constraints. (The handler's event lookup is served from
-- memory for EVENT_CACHE_TTL, 1 s by default, so in a rush it reaches the
-- database about once a second, not once per registration.) Keep it in step
-- with store/registrations.go.
--
-- Variables (pgbench -D): eid (event id), chan (attend_emails).
-- Random text stands in for what Go computes: the check-in code, the token
-- hash (32 bytes), the sealed token and the Message-ID.
\set n random(1, 9000000000000000000)
BEGIN;
WITH ev AS (
	SELECT id, capacity IS NOT NULL AND seats_held >= capacity AS full
	FROM events WHERE id = :eid FOR NO KEY UPDATE
), reg AS (
	INSERT INTO registrations (event_id, status, first_name, last_name, email, phone, country,
		organization, position, role, language, days, checkin_code, consent_at, created_at,
		confirmed_at, email_verified_at)
	SELECT ev.id, CASE WHEN ev.full THEN 'waitlisted' ELSE 'pending' END,
		'Bench', 'Participant', 'pgb-' || :client_id || '-' || :n || '@example.org', '+998712345678', 'UZ',
		'Bench Org', 'Engineer', 'expert', 'en', '{2031-01-01,2031-01-02}'::date[],
		upper(substr(md5(random()::text), 1, 8)), now(), now(),
		CASE WHEN ev.full THEN NULL ELSE NULL::timestamptz END,
		CASE WHEN ev.full THEN NULL ELSE NULL::timestamptz END
	FROM ev
	ON CONFLICT (event_id, lower(email)) DO NOTHING
	RETURNING id, status, created_at
), old AS (
	SELECT r.id, r.status, r.created_at, r.email, r.language, r.first_name || ' ' || r.last_name AS name
	FROM registrations r, ev
	WHERE r.event_id = ev.id AND lower(r.email) = lower('pgb-' || :client_id || '-' || :n || '@example.org')
	  AND r.status NOT IN ('cancelled', 'expired')
	  AND NOT EXISTS (SELECT 1 FROM reg)
), seat AS (
	UPDATE events SET seats_held = seats_held + 1
	WHERE id = :eid AND EXISTS (SELECT 1 FROM reg WHERE reg.status <> 'waitlisted')
), token AS (
	INSERT INTO registration_tokens (token_hash, registration_id, expires_at)
	SELECT decode(md5(random()::text) || md5(random()::text), 'hex'), reg.id, now() + interval '40 days' FROM reg
), email AS (
	INSERT INTO emails (event_id, registration_id, kind, language, recipient, recipient_name, payload, message_id)
	SELECT :eid, reg.id, CASE WHEN reg.status = 'waitlisted' THEN 'waitlisted' ELSE 'confirm_request' END, 'en',
		'pgb-' || :client_id || '-' || :n || '@example.org', 'Bench Participant',
		jsonb_build_object('sealed_token', md5(random()::text) || md5(random()::text) || md5(random()::text)),
		'20310101.' || md5(random()::text) || '@bench.invalid'
	FROM reg
)
SELECT outcome.* FROM (
	SELECT reg.id, reg.status, reg.created_at, true AS created, reg.status AS answer FROM reg
	UNION ALL
	SELECT old.id, old.status, old.created_at, false, CASE WHEN ev.full THEN 'waitlisted' ELSE 'pending' END
	FROM old, ev
) AS outcome, pg_notify(:chan, '');
COMMIT;
