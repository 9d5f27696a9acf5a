-- migrate:revision 1a2b3c4d5e06
-- migrate:parents 1a2b3c4d5e05
-- migrate:message add persons.hipaa_certified

-- migrate:upgrade
ALTER TABLE persons ADD COLUMN hipaa_certified boolean NOT NULL DEFAULT false;

-- migrate:downgrade
ALTER TABLE persons DROP COLUMN hipaa_certified;
