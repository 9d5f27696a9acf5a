-- migrate:revision 1a2b3c4d5e03
-- migrate:parents 1a2b3c4d5e02
-- migrate:message create orders

-- migrate:upgrade
CREATE TABLE orders (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person_id bigint NOT NULL CONSTRAINT orders_person_fkey REFERENCES persons,
	placed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_person_id_idx ON orders (person_id);

-- migrate:downgrade
DROP TABLE orders;
