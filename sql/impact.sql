--
-- impact: what depends on a schema, a table or a column
--
CREATE EXTENSION migrate;
CREATE FUNCTION impact_err(query text,
	OUT code text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	code := 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;

-- a small HR schema, built by two revisions
SELECT migrate_revision('persons', $$
CREATE SCHEMA imp;
CREATE TABLE imp.persons (
	id bigserial CONSTRAINT persons_pkey PRIMARY KEY,
	email text NOT NULL,
	hr_code text,
	email_lower text GENERATED ALWAYS AS (lower(email)) STORED);
CREATE INDEX persons_email_idx ON imp.persons (email);
CREATE VIEW imp.active AS SELECT id, email FROM imp.persons;
CREATE VIEW imp.active_count AS SELECT count(*) AS n FROM imp.active;
$$, $$DROP SCHEMA imp CASCADE$$, id => 'imp00001');
SELECT migrate_revision('orders', $$
CREATE TABLE imp.orders (id bigint CONSTRAINT orders_pkey PRIMARY KEY,
	person_id bigint, amount numeric);
ALTER TABLE imp.persons ADD COLUMN manager_id bigint;
ALTER TABLE imp.persons ADD CONSTRAINT persons_email_check CHECK (email LIKE '%@%');
$$, $$DROP TABLE imp.orders; ALTER TABLE imp.persons DROP COLUMN manager_id$$,
	id => 'imp00002');
SELECT step, revision FROM migrate_upgrade('head');

-- objects no revision made: drift, a trigger, a policy, a function, a
-- materialized view, a publication
CREATE FUNCTION imp.touch() RETURNS trigger LANGUAGE plpgsql
	AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER persons_touch BEFORE UPDATE ON imp.persons
	FOR EACH ROW EXECUTE FUNCTION imp.touch();
CREATE POLICY own_rows ON imp.persons FOR SELECT USING (hr_code IS NOT NULL);
CREATE FUNCTION imp.mail_of(bigint) RETURNS text LANGUAGE sql
	AS $$SELECT email FROM imp.persons WHERE id = $1$$;
CREATE MATERIALIZED VIEW imp.by_code AS SELECT hr_code, count(*) FROM imp.persons GROUP BY 1;
CREATE PUBLICATION imp_pub FOR TABLE imp.orders;
INSERT INTO imp.persons (email, hr_code) VALUES ('a@x', 'H1'), ('b@x', NULL);
-- orphaned orders, then a foreign key added NOT VALID over them: impact
-- counts the orphans that a VALIDATE would trip over
INSERT INTO imp.orders VALUES (1, 1, 10), (2, 99, 5), (3, 98, 1), (4, NULL, 0);
SELECT migrate_revision('orders fk', $$
ALTER TABLE imp.orders ADD CONSTRAINT orders_person_fk FOREIGN KEY (person_id)
	REFERENCES imp.persons (id) NOT VALID;
$$, $$ALTER TABLE imp.orders DROP CONSTRAINT orders_person_fk$$, id => 'imp00003');
SELECT step, revision FROM migrate_upgrade('head');
ANALYZE imp.persons, imp.orders;

-- the HR sync writes hr_code
SELECT migrate_protect('imp.persons.hr_code', 'written by the HR sync');

-- a column: its index, views (and a view on the view), the generated
-- column, the function naming it; protected columns are marked
SELECT depth, kind, object, path, protected, revisions
  FROM migrate_impact('imp.persons.email');
SELECT depth, kind, object, detail, protected, protected_reason
  FROM migrate_impact('imp.persons.hr_code');

-- a table: foreign keys both ways, constraints, indexes, triggers,
-- policies, the owned sequence, the publication
SELECT depth, kind, object, detail, rows, size > 0 AS has_size, protected, revisions
  FROM migrate_impact('imp.persons') ORDER BY depth, kind, object;
SELECT depth, kind, object, detail, rows, revisions
  FROM migrate_impact('imp.orders') ORDER BY depth, kind, object;

-- names resolve as SQL resolves them: on the search_path
SET search_path = imp, public;
SELECT depth, kind, object FROM migrate_impact('orders.person_id') ORDER BY 1, 2, 3;
SELECT count(*) FROM migrate_impact('persons');
RESET search_path;

-- a schema: everything in it
SELECT kind, count(*) FROM migrate_impact('imp') GROUP BY kind ORDER BY kind;
SELECT depth, kind, object, revisions FROM migrate_impact('imp') WHERE depth = 0;

-- ugly input
SELECT * FROM impact_err($$SELECT * FROM migrate_impact('imp.nope')$$);
SELECT * FROM impact_err($$SELECT * FROM migrate_impact('nope')$$);
SELECT * FROM impact_err($$SELECT * FROM migrate_impact('imp.persons.nope')$$);
SELECT * FROM impact_err($$SELECT * FROM migrate_impact('a.b.c.d')$$);
SELECT * FROM impact_err($$SELECT * FROM migrate_impact('imp.persons."')$$);
SELECT * FROM impact_err($$SELECT * FROM migrate_impact(NULL)$$);
SELECT * FROM impact_err($$SELECT * FROM migrate_impact('')$$);
-- ambiguous: a schema and a table of the same name, a table and a column
CREATE SCHEMA orders;
SET search_path = imp, public;
SELECT * FROM impact_err($$SELECT * FROM migrate_impact('orders')$$);
CREATE TABLE orders.amount (x int);
SELECT * FROM impact_err($$SELECT * FROM migrate_impact('orders.amount')$$);
-- qualified, each is clear
SELECT depth, kind, object FROM migrate_impact('orders.amount.x');
SELECT depth, kind, object FROM migrate_impact('imp.orders.amount');
RESET search_path;

DROP SCHEMA orders CASCADE;
DROP PUBLICATION imp_pub;
SELECT migrate_unprotect('imp.persons.hr_code');
DROP EXTENSION migrate;
DROP SCHEMA imp CASCADE;
DROP FUNCTION impact_err;
