-- minimal.sql writing eight registrations, with their outbox rows, in one
-- statement and one commit: what attend's batches do when registrations
-- arrive faster than one commit each (store/batch.go). A reference for the
-- batched design, not the baseline the targets are set against: tps here
-- counts statements, each of eight registrations.
\set n random(1, 9000000000000000000)
WITH reg AS (
	INSERT INTO registrations (event_id, checkin_code, status, first_name, last_name, email, phone, country,
		organization, position, role, language, days, consent_at, created_at, updated_at)
	SELECT :eid, upper(substr(md5(random()::text), 1, 16)), 'pending', 'Bench', 'Participant',
		'min8-' || :client_id || '-' || :n || '-' || g || '@example.org', '+998712345678', 'UZ', 'Bench Org', 'Engineer',
		'expert', 'en', '{2031-01-01,2031-01-02}'::date[], now(), now(), now()
	FROM generate_series(1, 8) AS g
	RETURNING id, event_id, email, language
)
INSERT INTO emails (event_id, registration_id, kind, language, recipient, recipient_name, payload,
	message_id, created_at, next_attempt_at)
SELECT reg.event_id, reg.id, 'confirm_request', reg.language, reg.email, 'Bench Participant',
	jsonb_build_object('sealed_token', md5(random()::text) || md5(random()::text) || md5(random()::text)),
	'20310101.' || md5(random()::text) || '@bench.invalid', now(), now()
FROM reg;
