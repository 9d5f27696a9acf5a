-- migrate:revision 1a2b3c4d5e02
-- migrate:parents 1a2b3c4d5e01
-- migrate:message add persons.email

-- migrate:upgrade
ALTER TABLE persons ADD COLUMN email text;
CREATE UNIQUE INDEX persons_email_key ON persons (email);

-- migrate:downgrade
DROP INDEX persons_email_key;
ALTER TABLE persons DROP COLUMN email;
