-- pgbench baseline of one registration: the SQL that POST
-- /api/v1/events/{slug}/registrations runs for a new address: the
-- transaction of store.Register, one statement (store.registerStatement)
-- between BEGIN and COMMIT, against the same schema and constraints. (The
-- handler's event lookup is served from memory for EVENT_CACHE_TTL, 1 s by
-- default, so in a rush it reaches the database about once a second, not
-- once per registration.) Keep it in step with store/register.go.
--
-- Variables (pgbench -D): eid (event id), chan (attend_emails).
-- Random text stands in for what Go computes: the check-in code, the token
-- hash (32 bytes), the sealed token and the Message-ID. The two outcomes
-- are those domain's transition table gives a participant.
\set n random(1, 9000000000000000000)
BEGIN;
WITH ev AS (
	SELECT id, capacity IS NOT NULL AND seats_held >= capacity AS full
	FROM events WHERE id = :eid FOR NO KEY UPDATE
), outcome AS (
	SELECT ev.id AS event_id, o.status, o.kind, o.seat, o.confirmed_at, o.verified_at
	FROM ev JOIN (VALUES (false, 'pending', 'confirm_request', true, NULL::timestamptz, NULL::timestamptz),
		(true, 'waitlisted', 'waitlisted', false, NULL::timestamptz, NULL::timestamptz))
		AS o (if_full, status, kind, seat, confirmed_at, verified_at) ON o.if_full = ev.full
), reg AS (
	INSERT INTO registrations (event_id, checkin_code, status, confirmed_at, email_verified_at, first_name,
		last_name, email, phone, country, organization, position, role, language, days, consent_at, created_at,
		updated_at, cancelled_at, reminder_queued_at, confirm_reminder_queued_at)
	SELECT outcome.event_id, upper(substr(md5(random()::text), 1, 8)), outcome.status, outcome.confirmed_at,
		outcome.verified_at, 'Bench', 'Participant', 'pgb-' || :client_id || '-' || :n || '@example.org',
		'+998712345678', 'UZ', 'Bench Org', 'Engineer', 'expert', 'en', '{2031-01-01,2031-01-02}'::date[],
		now(), now(), now(), NULL, NULL, NULL
	FROM outcome
	ON CONFLICT (event_id, lower(email)) DO UPDATE SET status = EXCLUDED.status,
		confirmed_at = EXCLUDED.confirmed_at, email_verified_at = EXCLUDED.email_verified_at,
		first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, email = EXCLUDED.email,
		phone = EXCLUDED.phone, country = EXCLUDED.country, organization = EXCLUDED.organization,
		position = EXCLUDED.position, role = EXCLUDED.role, language = EXCLUDED.language, days = EXCLUDED.days,
		consent_at = EXCLUDED.consent_at, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
		cancelled_at = EXCLUDED.cancelled_at, reminder_queued_at = EXCLUDED.reminder_queued_at,
		confirm_reminder_queued_at = EXCLUDED.confirm_reminder_queued_at
	WHERE registrations.status = ANY('{cancelled,expired}'::text[])
	RETURNING id, event_id, status, checkin_code, created_at, email, language,
		first_name || ' ' || last_name AS name
), seat AS (
	UPDATE events SET seats_held = seats_held + 1
	FROM outcome WHERE events.id = outcome.event_id AND outcome.seat AND EXISTS (SELECT 1 FROM reg)
), target AS (
	SELECT reg.id, reg.event_id, reg.email, reg.language, reg.name, outcome.kind
	FROM reg, outcome WHERE outcome.kind <> ''
), token AS (
	INSERT INTO registration_tokens (token_hash, registration_id, expires_at, created_at)
	SELECT decode(md5(random()::text) || md5(random()::text), 'hex'), target.id, now() + interval '40 days', now()
	FROM target
), email AS (
	INSERT INTO emails (event_id, registration_id, kind, language, recipient, recipient_name, payload,
		message_id, created_at, next_attempt_at)
	SELECT target.event_id, target.id, target.kind, target.language, target.email, target.name,
		jsonb_build_object('sealed_token', md5(random()::text) || md5(random()::text) || md5(random()::text)),
		'20310101.' || md5(random()::text) || '@bench.invalid', now(), now()
	FROM target
	RETURNING pg_notify(:chan, '')
)
SELECT outcome.status AS answer, reg.id, reg.status, reg.checkin_code, reg.created_at
FROM outcome LEFT JOIN reg ON true;
COMMIT;
