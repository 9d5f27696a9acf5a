-- migrate:up
ALTER TABLE users ADD COLUMN name text;
COMMENT ON COLUMN users.name IS 'display name; may be empty';

-- migrate:down
ALTER TABLE users DROP COLUMN name;
