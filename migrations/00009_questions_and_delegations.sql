-- +goose Up
-- An event's custom questions, in form order: [{key, type, label, help,
-- options: [{value, label, removed}], required, personal, removed}].
-- Removed questions and options stay in the list, so that answers given to
-- them remain readable.
ALTER TABLE events ADD COLUMN questions jsonb NOT NULL DEFAULT '[]'
    CHECK (jsonb_typeof(questions) = 'array');

-- What the participant answered, by question key; whom they represent (a
-- country's ISO code or an international organization's code; NULL, as in
-- every registration made before, means their country); their name in
-- Latin script, as in the passport, when it is written otherwise; and when
-- they last changed the registration themselves.
ALTER TABLE registrations
    ADD COLUMN answers jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(answers) = 'object'),
    ADD COLUMN delegation text CHECK (delegation ~ '^[A-Z][A-Z0-9]{1,15}$'),
    ADD COLUMN latin_first_name text NOT NULL DEFAULT '',
    ADD COLUMN latin_last_name text NOT NULL DEFAULT '',
    ADD COLUMN edited_at timestamptz;

-- +goose Down
ALTER TABLE registrations DROP COLUMN edited_at, DROP COLUMN latin_last_name, DROP COLUMN latin_first_name,
    DROP COLUMN delegation, DROP COLUMN answers;
ALTER TABLE events DROP COLUMN questions;
