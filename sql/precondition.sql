--
-- precondition: "-- migrate:require <query>" lines, evaluated right before
-- the SQL section they are in runs
--
CREATE EXTENSION migrate;
CREATE FUNCTION pc_err(query text,
	OUT code text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	code := 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;

SELECT migrate_load($f$-- migrate:revision pc01
-- migrate:message persons and orders

-- migrate:upgrade
CREATE SCHEMA pc;
CREATE TABLE pc.persons (id int CONSTRAINT persons_pkey PRIMARY KEY, email text);
CREATE TABLE pc.orders (id int CONSTRAINT orders_pkey PRIMARY KEY, person_id int);

-- migrate:downgrade
DROP SCHEMA pc CASCADE;
$f$);
SELECT step, revision FROM migrate_upgrade('head');
INSERT INTO pc.persons VALUES (1, 'a@x'), (2, NULL);
INSERT INTO pc.orders VALUES (1, 1), (2, 7);

-- no NULLs before SET NOT NULL; no orphans before a foreign key
SELECT migrate_load($f$-- migrate:revision pc02
-- migrate:parents pc01
-- migrate:message email required, orders reference persons

-- migrate:upgrade
-- migrate:require SELECT NOT EXISTS (SELECT FROM pc.persons WHERE email IS NULL)
ALTER TABLE pc.persons ALTER COLUMN email SET NOT NULL;
-- migrate:require SELECT NOT EXISTS (SELECT FROM pc.orders o WHERE NOT EXISTS (SELECT FROM pc.persons p WHERE p.id = o.person_id))
ALTER TABLE pc.orders ADD CONSTRAINT orders_person_fk FOREIGN KEY (person_id) REFERENCES pc.persons (id);

-- migrate:downgrade
-- migrate:require SELECT count(*) < 1000 FROM pc.orders
ALTER TABLE pc.orders DROP CONSTRAINT orders_person_fk;
ALTER TABLE pc.persons ALTER COLUMN email DROP NOT NULL;
$f$);
-- the lines stay in the SQL, as the allow markers do
SELECT position('-- migrate:require' IN upgrade) > 0 AS kept FROM migrate_show('pc02');

-- the first precondition fails: nothing runs, the failure is logged
SELECT * FROM pc_err($$SELECT * FROM migrate_upgrade('head')$$);
SELECT revision, direction, outcome, sqlstate, error FROM migrate.log
 WHERE outcome = 'failure';
SELECT revision FROM migrate_current();
-- migrate_verify reports it too
SELECT revision, status, sqlstate, message FROM migrate_verify();

-- the second one: an orphaned order
UPDATE pc.persons SET email = 'b@x' WHERE id = 2;
SELECT code, message, detail FROM pc_err($$SELECT * FROM migrate_upgrade('head')$$);

-- both hold: the revision runs
DELETE FROM pc.orders WHERE person_id = 7;
SELECT step, revision FROM migrate_upgrade('head');
-- the downgrade's precondition is evaluated before the downgrade
SELECT step, revision FROM migrate_downgrade('pc01');

-- NULL and no row do not count as true; a query that is not one boolean
-- is an error of its own
SELECT migrate_revision('null', $$
-- migrate:require SELECT NULL::boolean
SELECT 1;
$$, id => 'pc03', parents => '{pc02}');
SELECT code, detail FROM pc_err($$SELECT * FROM migrate_upgrade('pc03')$$);
SELECT migrate_forget('pc03');
SELECT migrate_revision('no row', $$
-- migrate:require SELECT true WHERE false
SELECT 1;
$$, id => 'pc04', parents => '{pc02}');
SELECT code, detail FROM pc_err($$SELECT * FROM migrate_upgrade('pc04')$$);
SELECT migrate_forget('pc04');
SELECT migrate_revision('not boolean', $$
-- migrate:require SELECT 1
SELECT 1;
$$, id => 'pc05', parents => '{pc02}');
SELECT * FROM pc_err($$SELECT * FROM migrate_upgrade('pc05')$$);
SELECT migrate_forget('pc05');

-- malformed files: in the header, empty, not a query
SELECT * FROM pc_err($f$SELECT migrate_load('-- migrate:revision pc09
-- migrate:require SELECT true
-- migrate:upgrade
SELECT 1;
')$f$);
SELECT * FROM pc_err($f$SELECT migrate_load('-- migrate:revision pc09
-- migrate:upgrade
-- migrate:require
SELECT 1;
')$f$);
SELECT * FROM pc_err($f$SELECT migrate_load('-- migrate:revision pc09
-- migrate:upgrade
-- migrate:require DROP TABLE pc.orders
SELECT 1;
')$f$);
SELECT count(*) FROM migrate.revision WHERE id = 'pc09';

DROP EXTENSION migrate;
DROP SCHEMA pc CASCADE;
DROP FUNCTION pc_err;
