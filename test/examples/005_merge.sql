-- migrate:revision 1a2b3c4d5e05
-- migrate:parents 1a2b3c4d5e03 9f8e7d6c5b04
-- migrate:message merge billing into the trunk

-- migrate:upgrade

-- migrate:downgrade
