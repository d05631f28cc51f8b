-- +goose Up
-- The audit log's actions were a CHECK list that every migration adding an
-- action had to rewrite whole, and merges of two such migrations dropped
-- each other's actions. They are now rows of a table the log refers to: a
-- new action is one INSERT. store's TestTheDatabaseTakesEveryAuditAction
-- keeps the rows equal to domain.AuditActions.
CREATE TABLE audit_actions (
    action text PRIMARY KEY
);
INSERT INTO audit_actions (action) VALUES
    ('event.create'), ('event.update'), ('registration.cancel'), ('registration.promote'),
    ('registration.erase'), ('registration.walk_in'), ('registration.update'), ('registrations.export'),
    ('checkin.create'), ('checkin.delete'), ('member.add'), ('member.role'), ('member.remove'),
    ('invitees.import'), ('nomination.quota'), ('nomination.create'),
    ('registration.approve'), ('registration.reject'), ('message.send'),
    ('invitation.withdraw'), ('invitation.resend'), ('visa_letters.download');
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_fkey FOREIGN KEY (action) REFERENCES audit_actions (action);

-- +goose Down
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_fkey;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'event.create', 'event.update', 'registration.cancel', 'registration.promote',
    'registration.erase', 'registration.walk_in', 'registration.update', 'registrations.export',
    'checkin.create', 'checkin.delete', 'member.add', 'member.role', 'member.remove',
    'invitees.import', 'nomination.quota', 'nomination.create',
    'registration.approve', 'registration.reject', 'message.send',
    'invitation.withdraw', 'invitation.resend', 'visa_letters.download'));
DROP TABLE audit_actions;
