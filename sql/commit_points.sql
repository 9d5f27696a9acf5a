--
-- commit points: migrate_plan says before which revisions a runner that
-- can commit between revisions (pg_migrate) commits, because the revision
-- needs what an earlier revision of the same transaction did committed:
-- an enum value it added, or a table it altered before a VALIDATE.
--
CREATE EXTENSION migrate;
SET client_min_messages = warning;
CREATE TYPE cp_status AS ENUM ('new', 'paid');
CREATE TABLE cp_orders (id int PRIMARY KEY, status cp_status);
CREATE TABLE cp_other (id int PRIMARY KEY);
SELECT migrate_revision('add archived', $$ALTER TYPE cp_status ADD VALUE 'archived'$$, '-- nothing', id => 'cp1');
SELECT migrate_revision('use it', $$UPDATE cp_orders SET status = 'archived'$$, $$UPDATE cp_orders SET status = 'paid' WHERE status = 'archived'$$, id => 'cp2');
SELECT migrate_revision('use it again', $$UPDATE cp_orders SET status = 'archived' WHERE id < 0$$, '-- nothing', id => 'cp3');
SELECT migrate_revision('add refunded', $$ALTER TYPE cp_status ADD VALUE IF NOT EXISTS 'refunded' BEFORE 'paid'$$, '-- nothing', id => 'cp4');
SELECT migrate_revision('quoted in a DO body', $q$DO $do$ BEGIN PERFORM 'refunded'::cp_status; END $do$$q$, '-- nothing', id => 'cp5');
SELECT migrate_revision('fk not valid', 'ALTER TABLE cp_orders ADD CONSTRAINT cp_fk FOREIGN KEY (id) REFERENCES cp_other NOT VALID', 'ALTER TABLE cp_orders DROP CONSTRAINT cp_fk', id => 'cp6');
SELECT migrate_revision('validate, schema-qualified', 'ALTER TABLE public.cp_orders VALIDATE CONSTRAINT cp_fk', '-- nothing', id => 'cp7');
SELECT migrate_revision('check not valid', 'ALTER TABLE cp_other ADD CONSTRAINT cp_pos CHECK (id > 0) NOT VALID', 'ALTER TABLE cp_other DROP CONSTRAINT cp_pos', id => 'cp8');
SELECT migrate_revision('validate another table', 'ALTER TABLE cp_orders VALIDATE CONSTRAINT cp_fk', '-- nothing', id => 'cp9');
SELECT migrate_revision('add void', $$ALTER TYPE cp_status ADD VALUE 'void'$$, '-- nothing', id => 'cp10');
SELECT migrate_revision('online', 'CREATE INDEX CONCURRENTLY cp_status_idx ON cp_orders (status)', 'DROP INDEX CONCURRENTLY cp_status_idx', id => 'cp11', transactional => false);
SELECT migrate_revision('use void after the online one', $$UPDATE cp_orders SET status = 'void' WHERE id < 0$$, '-- nothing', id => 'cp12');
SELECT migrate_revision('a string that only looks like it', $$COMMENT ON TABLE cp_orders IS 'void orders are kept'$$, '-- nothing', id => 'cp13');

-- cp2: the value of cp1; cp3 not again (committed before cp2); cp5: the
-- quoted value in a DO body; cp7: a VALIDATE of the table cp6 alters, one
-- name qualified and one not; cp9: since the last commit cp_orders was
-- only validated (cp7), which blocks no writes, and cp8 altered cp_other;
-- cp12: cp11 runs outside a transaction, so cp10 is committed; cp13:
-- 'void orders are kept' is not the value
SELECT step, revision, transactional, commit_before FROM migrate_plan('head');

-- one revision: nothing to commit before
SELECT step, revision, commit_before FROM migrate_plan('cp1');
-- from cp1 on: cp2 needs nothing of this run committed
SELECT migrate_stamp('cp1');
SELECT step, revision, commit_before FROM migrate_plan('cp3');

-- one call of migrate_upgrade is one transaction: it cannot commit, and the
-- server's own error stops it, with the way that commits per revision
SELECT migrate_stamp('base');
SELECT migrate_upgrade('cp2');
-- CALL migrate_apply commits after each revision
CALL migrate_apply('cp5');
SELECT revision FROM migrate_current();
SELECT count(*) FROM pg_enum WHERE enumtypid = 'cp_status'::regtype;

-- downgrades are planned the same way
SELECT step, revision, commit_before FROM migrate_plan('base', 'downgrade');

-- a dry run judges the plan as pg_migrate runs it: on tables that hold
-- rows, one call refuses to validate in the transaction that added the key
-- NOT VALID, while the preview, with the commit before cp7, finds nothing
INSERT INTO cp_other SELECT g FROM generate_series(1, 100) g;
INSERT INTO cp_orders SELECT g, 'new' FROM generate_series(1, 100) g;
ANALYZE cp_other, cp_orders;
SELECT * FROM migrate_preview('cp7');
SELECT migrate_upgrade('cp7');
SELECT revision FROM migrate_current();

DROP EXTENSION migrate;
DROP TABLE cp_orders, cp_other;
DROP TYPE cp_status;
