-- pgbench baseline of one registration: the SQL that POST
-- /api/v1/events/{slug}/registrations runs for a new address: the single
-- statement of store.registerNew, which is its own transaction, against the
-- same schema and constraints. (The handler's event lookup is served from
-- memory for EVENT_CACHE_TTL, 1 s by default, so in a rush it reaches the
-- database about once a second, not once per registration.) Keep it in step
-- with store/registrations.go.
--
-- Variables (pgbench -D): eid (event id), chan (attend_emails).
-- Random text stands in for what Go computes: the check-in code, the token
-- hash (32 bytes), the sealed token and the Message-ID.
\set n random(1, 9000000000000000000)
WITH ev AS (
	SELECT id, capacity, seats_held FROM events WHERE id = :eid FOR NO KEY UPDATE
), reg AS (
	INSERT INTO registrations (event_id, status, first_name, last_name, email, phone, country,
		organization, position, role, language, days, checkin_code, consent_at, created_at,
		confirmed_at, email_verified_at)
	SELECT ev.id,
		CASE WHEN ev.capacity IS NOT NULL AND ev.seats_held >= ev.capacity THEN 'waitlisted' ELSE 'pending' END,
		'Bench', 'Participant', 'pgb-' || :client_id || '-' || :n || '@example.org', '+998712345678', 'UZ',
		'Bench Org', 'Engineer', 'expert', 'en', '{2031-01-01,2031-01-02}'::date[],
		upper(substr(md5(random()::text), 1, 8)), now(), now(),
		CASE WHEN ev.capacity IS NOT NULL AND ev.seats_held >= ev.capacity THEN NULL ELSE NULL::timestamptz END,
		CASE WHEN ev.capacity IS NOT NULL AND ev.seats_held >= ev.capacity THEN NULL ELSE NULL::timestamptz END
	FROM ev
	ON CONFLICT (event_id, lower(email)) DO NOTHING
	RETURNING id, status, created_at
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
SELECT reg.id, reg.status, reg.created_at FROM reg, pg_notify(:chan, '');
