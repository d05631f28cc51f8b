-- +goose Up
-- Downloading visa letters reveals passport numbers (issue 17): an
-- organizer's download of one letter or of the archive is audited.
-- An approved application whose address is not confirmed yet becomes
-- pending: its confirmation period runs from then (pending_since), not
-- from when the participant applied.
ALTER TABLE registrations ADD COLUMN pending_since timestamptz;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'event.create', 'event.update', 'registration.cancel', 'registration.promote',
    'registration.erase', 'registration.walk_in', 'registration.update', 'registrations.export',
    'checkin.create', 'checkin.delete', 'member.add', 'member.role', 'member.remove',
    'invitees.import', 'nomination.quota', 'nomination.create',
    'registration.approve', 'registration.reject', 'message.send',
    'invitation.withdraw', 'invitation.resend', 'visa_letters.download'));

-- +goose Down
ALTER TABLE registrations DROP COLUMN pending_since;
DELETE FROM audit_log WHERE action = 'visa_letters.download';
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'event.create', 'event.update', 'registration.cancel', 'registration.promote',
    'registration.erase', 'registration.walk_in', 'registration.update', 'registrations.export',
    'checkin.create', 'checkin.delete', 'member.add', 'member.role', 'member.remove',
    'invitees.import', 'nomination.quota', 'nomination.create',
    'registration.approve', 'registration.reject', 'message.send',
    'invitation.withdraw', 'invitation.resend'));
