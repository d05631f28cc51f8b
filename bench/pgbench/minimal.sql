-- pgbench baseline of one registration that does not inherit attend's
-- design: the least a registration must write, with nothing of how attend
-- counts seats or wakes its mail worker. A new registration inserted
-- through the unique index on (event_id, lower(email)), plus its outbox
-- row, in one statement committed on its own: no event or seat lock, no
-- link token, no NOTIFY. Against the same schema and constraints as attend.
--
-- Variables (pgbench -D): eid (event id). Random text stands in for what
-- Go computes (the check-in code, the Message-ID). The code is 16 hex
-- digits: 8 collide on the unique (event_id, checkin_code) within a run's
-- hundred thousand rows, which attend retries and pgbench cannot.
\set n random(1, 9000000000000000000)
WITH reg AS (
	INSERT INTO registrations (event_id, checkin_code, status, first_name, last_name, email, phone, country,
		organization, position, role, language, days, consent_at, created_at, updated_at)
	VALUES (:eid, upper(substr(md5(random()::text), 1, 16)), 'pending', 'Bench', 'Participant',
		'min-' || :client_id || '-' || :n || '@example.org', '+998712345678', 'UZ', 'Bench Org', 'Engineer',
		'expert', 'en', '{2031-01-01,2031-01-02}'::date[], now(), now(), now())
	RETURNING id, event_id, email, language
)
INSERT INTO emails (event_id, registration_id, kind, language, recipient, recipient_name, payload,
	message_id, created_at, next_attempt_at)
SELECT reg.event_id, reg.id, 'confirm_request', reg.language, reg.email, 'Bench Participant',
	jsonb_build_object('sealed_token', md5(random()::text) || md5(random()::text) || md5(random()::text)),
	'20310101.' || md5(random()::text) || '@bench.invalid', now(), now()
FROM reg;
