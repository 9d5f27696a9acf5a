--
-- verify: the stairway test (upgrade, downgrade, upgrade, rolled back)
--
CREATE EXTENSION migrate;
CREATE FUNCTION verify_err(query text,
	OUT code text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	code := 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;

-- nothing registered: nothing to verify
SELECT * FROM migrate_verify();

-- the applied base: persons with a view, orders with an orphaned row
SELECT migrate_revision('base', $$
CREATE SCHEMA vf;
CREATE TABLE vf.persons (id int CONSTRAINT persons_pkey PRIMARY KEY,
	name text NOT NULL, age int, hr_code text);
CREATE VIEW vf.persons_all AS SELECT id, name FROM vf.persons;
CREATE TABLE vf.orders (id int CONSTRAINT orders_pkey PRIMARY KEY, person_id int);
$$, $$DROP SCHEMA vf CASCADE$$, id => 'vf00');
SELECT step, revision FROM migrate_upgrade('head');
INSERT INTO vf.persons VALUES (1, 'ann', 30, 'H1'), (2, 'bob', 40, 'H2');
INSERT INTO vf.orders VALUES (1, 1), (2, 3);

-- four pending revisions
SELECT migrate_revision('age as bigint', $$
ALTER TABLE vf.persons ALTER COLUMN age TYPE bigint;
$$, $$ALTER TABLE vf.persons ALTER COLUMN age TYPE int$$, id => 'vf01');
-- the downgrade forgets to drop the index
SELECT migrate_revision('index on name', $$
CREATE INDEX persons_name_idx ON vf.persons (name);
$$, $$SELECT 1$$, id => 'vf02');
-- the downgrade's cascade takes the view that the upgrade replaced
SELECT migrate_revision('nickname', $$
ALTER TABLE vf.persons ADD COLUMN nickname text;
CREATE OR REPLACE VIEW vf.persons_all AS SELECT id, name, nickname FROM vf.persons;
$$, $$ALTER TABLE vf.persons DROP COLUMN nickname CASCADE$$, id => 'vf03');
-- the upgrade changes rows that the downgrade does not put back
SELECT migrate_revision('upper names', $$
UPDATE vf.persons SET name = upper(name) WHERE id > 0;
$$, $$SELECT 1$$, id => 'vf04');

SELECT step, revision, status, left_behind, removed, data, rewritten
  FROM migrate_verify();
-- each direction lists the locks its statements take, also those held
-- already (by vf01 here, or by the caller below): pg_locks cannot tell
-- them apart, the local lock counts can; a direction that takes none
-- (vf02's downgrade) lists none
SELECT revision, upgrade_locks, downgrade_locks FROM migrate_verify('vf03');
BEGIN;
LOCK TABLE vf.persons IN ACCESS EXCLUSIVE MODE;
SELECT revision, upgrade_locks, downgrade_locks FROM migrate_verify('vf01');
ROLLBACK;
SELECT revision, status, sqlstate, statement, message
  FROM migrate_verify() WHERE sqlstate IS NOT NULL;

-- nothing stays: no revision applied, no index, the rows as they were,
-- nothing logged
SELECT revision FROM migrate_current();
SELECT count(*) FROM pg_class WHERE relname = 'persons_name_idx';
SELECT * FROM vf.persons ORDER BY id;
SELECT pg_get_viewdef('vf.persons_all'::regclass);
SELECT revision, direction FROM migrate.log ORDER BY id;
SELECT count(*) AS drift FROM migrate.drift;

-- a target: only its ancestry
SELECT step, revision, status FROM migrate_verify('vf01');

-- fix vf02 and vf03 (not applied yet: they may be forgotten and added
-- again), then they are ok
SELECT migrate_forget('vf04');
SELECT migrate_forget('vf03');
SELECT migrate_forget('vf02');
SELECT migrate_revision('index on name', $$
CREATE INDEX persons_name_idx ON vf.persons (name);
$$, $$DROP INDEX vf.persons_name_idx$$, id => 'vf02', parents => '{vf01}');
SELECT migrate_revision('nickname', $$
ALTER TABLE vf.persons ADD COLUMN nickname text;
CREATE OR REPLACE VIEW vf.persons_all AS SELECT id, name, nickname FROM vf.persons;
$$, $$DROP VIEW vf.persons_all;
ALTER TABLE vf.persons DROP COLUMN nickname;
CREATE VIEW vf.persons_all AS SELECT id, name FROM vf.persons$$,
	id => 'vf03', parents => '{vf02}');
SELECT migrate_revision('upper names', $$
UPDATE vf.persons SET name = upper(name) WHERE id > 0;
$$, $$SELECT 1$$, id => 'vf04');
SELECT step, revision, status, left_behind, removed FROM migrate_verify('vf03');

-- a downgrade that removes what it did not create: the base's table; the
-- rules stop it as they would in production (it holds rows), and with the
-- consent to drop data verify shows what it removes
SELECT migrate_revision('too much', $$
CREATE TABLE vf.notes (id int);
$$, $$DROP TABLE vf.notes; DROP TABLE vf.orders$$, id => 'vf05', parents => '{vf04}');
SELECT step, revision, status, sqlstate, message FROM migrate_verify('vf05')
 WHERE revision = 'vf05';
SET migrate.drop_data = on;
SELECT step, revision, status, removed, data FROM migrate_verify('vf05')
 WHERE revision = 'vf05';
RESET migrate.drop_data;
SELECT migrate_forget('vf05');

-- the HR sync's column is protected: the revision that changes it stops
-- in verify as it would in production
SELECT migrate_protect('vf.persons.hr_code', 'written by the HR sync');
SELECT migrate_revision('hr code not null', $$
ALTER TABLE vf.persons ALTER COLUMN hr_code SET NOT NULL;
$$, $$ALTER TABLE vf.persons ALTER COLUMN hr_code DROP NOT NULL$$,
	id => 'vf06', parents => '{vf04}');
SELECT step, revision, status, sqlstate, statement FROM migrate_verify('vf06');
SELECT migrate_forget('vf06');
SELECT migrate_unprotect('vf.persons.hr_code');

-- a foreign key over orphaned rows fails; the revisions after it are
-- skipped
SELECT migrate_revision('orders fk', $$
ALTER TABLE vf.orders ADD CONSTRAINT orders_person_fk FOREIGN KEY (person_id)
	REFERENCES vf.persons (id);
$$, $$ALTER TABLE vf.orders DROP CONSTRAINT orders_person_fk$$,
	id => 'vf07', parents => '{vf04}');
SELECT migrate_revision('after fk', $$CREATE TABLE vf.t8 (id int)$$,
	$$DROP TABLE vf.t8$$, id => 'vf08');
SELECT step, revision, status, sqlstate, statement, message FROM migrate_verify();
SELECT migrate_forget('vf08');
SELECT migrate_forget('vf07');

-- a non-transactional revision runs through its transactional
-- equivalents (CREATE INDEX for CREATE INDEX CONCURRENTLY, DROP INDEX for
-- DROP INDEX CONCURRENTLY), and its note says so; the revisions after it
-- run on that
SELECT migrate_revision('concurrent index',
	$$CREATE INDEX CONCURRENTLY persons_age_idx ON vf.persons (age)$$,
	$$DROP INDEX CONCURRENTLY vf.persons_age_idx$$, id => 'vf09',
	transactional => false);
SELECT migrate_revision('after it', $$CREATE TABLE vf.t10 (id int)$$,
	$$DROP TABLE vf.t10$$, id => 'vf10');
SELECT step, revision, status, upgrade_locks, downgrade_locks, message, note
  FROM migrate_verify() WHERE step > 3;
-- the equivalents really run: a downgrade that forgets the index is
-- caught, and REINDEX CONCURRENTLY runs as REINDEX
SELECT migrate_forget('vf10');
SELECT migrate_forget('vf09');
SELECT migrate_revision('concurrent index',
	$$CREATE INDEX CONCURRENTLY persons_age_idx ON vf.persons (age);
REINDEX (CONCURRENTLY) INDEX vf.persons_age_idx$$,
	$$SELECT 1$$, id => 'vf09', transactional => false);
SELECT step, revision, status, left_behind, note
  FROM migrate_verify() WHERE step > 3;
SELECT migrate_forget('vf09');
-- what has no transactional equivalent (VACUUM) is skipped with the
-- reason, and so is what comes after it
SELECT migrate_revision('vacuum', $$VACUUM vf.persons$$, $$SELECT 1$$,
	id => 'vf09', transactional => false);
SELECT migrate_revision('after it', $$CREATE TABLE vf.t10 (id int)$$,
	$$DROP TABLE vf.t10$$, id => 'vf10');
SELECT step, revision, status, sqlstate, message, note
  FROM migrate_verify() WHERE step > 3;
SELECT migrate_forget('vf10');
SELECT migrate_forget('vf09');
-- in a downgrade: the upgrade is verified, the downgrade is not, the
-- revisions after it still are
SELECT migrate_revision('concurrent index',
	$$CREATE INDEX CONCURRENTLY persons_age_idx ON vf.persons (age)$$,
	$$DROP INDEX CONCURRENTLY vf.persons_age_idx;
VACUUM vf.persons$$, id => 'vf09', transactional => false);
SELECT migrate_revision('after it', $$CREATE TABLE vf.t10 (id int)$$,
	$$DROP TABLE vf.t10$$, id => 'vf10');
SELECT step, revision, status, upgrade_locks, message, note
  FROM migrate_verify() WHERE step > 3;
SELECT migrate_forget('vf10');
SELECT migrate_forget('vf09');
-- COMMITs are left out: an enum value added then used after a COMMIT
-- cannot be used in verify's one transaction (skipped, with the reason);
-- added and not used, the revision is verified in one transaction (and
-- verify sees that no downgrade takes an enum value back)
CREATE SCHEMA vfe;
CREATE TYPE vfe.mood AS ENUM ('ok');
CREATE TABLE vfe.feel (m vfe.mood);
SELECT migrate_revision('meh', $$ALTER TYPE vfe.mood ADD VALUE 'meh';
COMMIT;
INSERT INTO vfe.feel VALUES ('meh')$$, $$DELETE FROM vfe.feel$$,
	id => 'vf09', transactional => false);
SELECT step, revision, status, sqlstate, message, note
  FROM migrate_verify() WHERE step > 3;
SELECT migrate_forget('vf09');
SELECT migrate_revision('meh', $$ALTER TYPE vfe.mood ADD VALUE 'meh';
COMMIT;
CREATE TABLE vfe.t (id int)$$, $$DROP TABLE vfe.t$$,
	id => 'vf09', transactional => false);
SELECT step, revision, status, left_behind, message, note
  FROM migrate_verify() WHERE step > 3;
SELECT migrate_forget('vf09');
-- DETACH PARTITION CONCURRENTLY runs as DETACH PARTITION, under its
-- stronger locks
CREATE TABLE vfe.p (id int) PARTITION BY RANGE (id);
CREATE TABLE vfe.p1 PARTITION OF vfe.p FOR VALUES FROM (0) TO (10);
SELECT migrate_revision('detach',
	$$ALTER TABLE vfe.p DETACH PARTITION vfe.p1 CONCURRENTLY$$,
	$$ALTER TABLE vfe.p ATTACH PARTITION vfe.p1 FOR VALUES FROM (0) TO (10)$$,
	id => 'vf09', transactional => false);
SELECT step, revision, status, upgrade_locks, note
  FROM migrate_verify() WHERE step > 3;
SELECT migrate_forget('vf09');
DROP SCHEMA vfe CASCADE;

-- data comparison bounded: a table above migrate.verify_max_rows is not
-- compared
SET migrate.verify_max_rows = 1;
SELECT revision, status, data FROM migrate_verify() WHERE revision = 'vf04';
RESET migrate.verify_max_rows;

-- a timeout (or a cancel) is not one revision's failure: it ends the call
SELECT migrate_revision('slow', 'SELECT pg_sleep(1)', 'SELECT 1', id => 'vf11',
	parents => '{vf04}');
SET migrate.statement_timeout = '50ms';
\set VERBOSITY terse
SELECT revision, status FROM migrate_verify();
\set VERBOSITY default
RESET migrate.statement_timeout;
SELECT revision FROM migrate_current();
SELECT migrate_forget('vf11');

-- ugly input
SELECT * FROM verify_err($$SELECT * FROM migrate_verify('nope')$$);
SELECT * FROM verify_err($$SELECT * FROM migrate_verify(NULL)$$);
SELECT * FROM verify_err($$SELECT * FROM migrate_verify('base')$$);
-- two heads: "head" is ambiguous, "heads" verifies both branches
SELECT migrate_revision('other branch', $$CREATE TABLE vf.b1 (id int)$$,
	$$DROP TABLE vf.b1$$, id => 'vfb1', parents => '{vf00}');
SELECT * FROM verify_err($$SELECT * FROM migrate_verify('head')$$);
SELECT step, revision, status FROM migrate_verify('heads');
-- once everything is applied there is nothing left to verify
SELECT count(*) FROM migrate_upgrade('heads');
SELECT * FROM migrate_verify();
SELECT * FROM verify_err($$SELECT * FROM migrate_verify('vf01')$$);

DROP EXTENSION migrate;
DROP SCHEMA vf CASCADE;
DROP FUNCTION verify_err;
