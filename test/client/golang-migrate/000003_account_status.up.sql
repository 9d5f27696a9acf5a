CREATE TYPE account_status AS ENUM ('active', 'locked');
ALTER TABLE accounts ADD COLUMN status account_status NOT NULL DEFAULT 'active';
