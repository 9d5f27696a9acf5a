-- migrate:revision 1a2b3c4d5e01
-- migrate:branch-labels core
-- migrate:message create persons

-- migrate:upgrade
CREATE TABLE persons (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name text NOT NULL
);

-- migrate:downgrade
DROP TABLE persons;
