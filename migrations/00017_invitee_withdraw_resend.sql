-- +goose Up
-- Organizers may withdraw an invitation nobody has used (its link then
-- says so and registers nobody) and email it again (issue 17) with a new
-- link, the earlier one then working no more; message_id names the newest
-- email, and resent_at spaces the emails out.
ALTER TABLE invitees ADD COLUMN withdrawn_at timestamptz;
ALTER TABLE invitees ADD COLUMN resent_at timestamptz;

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'event.create', 'event.update', 'registration.cancel', 'registration.promote',
    'registration.erase', 'registration.walk_in', 'registration.update', 'registrations.export',
    'checkin.create', 'checkin.delete', 'member.add', 'member.role', 'member.remove',
    'invitees.import', 'nomination.quota', 'nomination.create',
    'registration.approve', 'registration.reject', 'message.send',
    'invitation.withdraw', 'invitation.resend'));

-- +goose Down
DELETE FROM audit_log WHERE action IN ('invitation.withdraw', 'invitation.resend');
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'event.create', 'event.update', 'registration.cancel', 'registration.promote',
    'registration.erase', 'registration.walk_in', 'registration.update', 'registrations.export',
    'checkin.create', 'checkin.delete', 'member.add', 'member.role', 'member.remove',
    'invitees.import', 'nomination.quota', 'nomination.create',
    'registration.approve', 'registration.reject', 'message.send'));
ALTER TABLE invitees DROP COLUMN resent_at;
ALTER TABLE invitees DROP COLUMN withdrawn_at;
