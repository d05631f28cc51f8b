-- +goose Up
-- An event whose participants are fictional (the demo's 2019 workshop) is
-- left alone by the retention job: its people are the point of the demo,
-- and there is nobody whose data could be kept too long.
ALTER TABLE events ADD COLUMN retention_exempt boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE events DROP COLUMN retention_exempt;
