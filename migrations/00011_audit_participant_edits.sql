-- +goose Up
-- A participant's change to their own registration (from their emailed
-- link) is logged like an organizer's action, with the fields it changed
-- and no values.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'event.create', 'event.update', 'registration.cancel', 'registration.promote',
    'registration.erase', 'registration.walk_in', 'registration.update', 'registrations.export',
    'checkin.create', 'checkin.delete', 'member.add', 'member.role', 'member.remove'));

-- +goose Down
DELETE FROM audit_log WHERE action = 'registration.update';
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'event.create', 'event.update', 'registration.cancel', 'registration.promote',
    'registration.erase', 'registration.walk_in', 'registrations.export',
    'checkin.create', 'checkin.delete', 'member.add', 'member.role', 'member.remove'));
