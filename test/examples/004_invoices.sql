-- migrate:revision 9f8e7d6c5b04
-- migrate:parents 1a2b3c4d5e02
-- migrate:branch-labels billing
-- migrate:message create invoices (billing branch)

-- migrate:upgrade
CREATE TABLE invoices (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person_id bigint NOT NULL CONSTRAINT invoices_person_fkey REFERENCES persons,
	amount numeric(12, 2) NOT NULL
);
CREATE INDEX invoices_person_id_idx ON invoices (person_id);

-- migrate:downgrade
DROP TABLE invoices;
