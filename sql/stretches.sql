--
-- stretches: a non-transactional revision runs in stretches, the runs of
-- statements between COMMITs (or each statement, when it has none), each
-- in a transaction of its own; a stretch that commits is recorded, and the
-- same CALL after a failure resumes at the first one that did not.
--
CREATE EXTENSION migrate;
-- ad-hoc DDL here runs in schema public, which the test's revisions
-- manage; the guard has tests of its own
SET migrate.enforce = off;

CREATE TABLE st_a (v int);
CREATE TABLE st_b (v int);
CREATE TABLE st_c (v int);
CREATE TABLE st_gate (x int);
INSERT INTO st_a VALUES (0);
INSERT INTO st_b VALUES (0);
INSERT INTO st_c VALUES (0);

-- transaction control is refused in a transactional revision, and in a
-- non-transactional one but for BEGIN, COMMIT and COMMIT AND CHAIN
SELECT * FROM err($$SELECT migrate_revision('x', 'UPDATE st_a SET v = 1; COMMIT', id => 'stx1')$$);
SELECT * FROM err($$SELECT migrate_revision('x', 'UPDATE st_a SET v = 1; ROLLBACK', id => 'stx1', transactional => false)$$);
SELECT * FROM err($$SELECT migrate_revision('x', 'SAVEPOINT s; UPDATE st_a SET v = 1', id => 'stx1', transactional => false)$$);

-- three stretches; the second fails while st_gate is empty
SELECT migrate_revision('batches', $$
-- migrate:allow delete-or-update-without-where
UPDATE st_a SET v = v + 1;
COMMIT AND CHAIN;
-- migrate:allow delete-or-update-without-where
UPDATE st_b SET v = v + 1;
INSERT INTO st_b SELECT 1 / (SELECT count(*) FROM st_gate)::int;
COMMIT;
BEGIN;
-- migrate:allow delete-or-update-without-where
UPDATE st_c SET v = v + 1;
COMMIT;
$$, id => 'st01', transactional => false);

-- what migrate_sql writes: each stretch of several statements in BEGIN ... COMMIT
SELECT migrate_sql('st01');

CALL migrate_apply('head');
-- the first stretch committed, the second rolled back as a whole
SELECT (SELECT v FROM st_a) AS a, (SELECT string_agg(v::text, ',') FROM st_b) AS b, (SELECT v FROM st_c) AS c;
SELECT revision, direction, stretch, statements FROM migrate.progress;
SELECT revision, outcome, failed_statement, sqlstate FROM migrate.log ORDER BY id;

-- the cause fixed, the same CALL resumes at the second stretch
INSERT INTO st_gate VALUES (1);
CALL migrate_apply('head');
SELECT (SELECT v FROM st_a) AS a, (SELECT string_agg(v::text, ',' ORDER BY v) FROM st_b) AS b, (SELECT v FROM st_c) AS c;
SELECT count(*) AS progress_rows FROM migrate.progress;
SELECT revision, outcome, statements FROM migrate.log ORDER BY id;

-- without COMMITs each statement is a stretch: a rerun does not run again
-- what committed (here, a CREATE TABLE without IF NOT EXISTS)
SELECT migrate_revision('index', $$
CREATE TABLE st_d (id int);
CREATE INDEX CONCURRENTLY st_d_id ON st_d (id);
INSERT INTO st_d SELECT 1 / (SELECT count(*) - 1 FROM st_gate)::int;
$$, $$
DROP TABLE st_d;
$$, id => 'st02', transactional => false);
CALL migrate_apply('head');
SELECT revision, stretch, statements FROM migrate.progress ORDER BY stretch;
INSERT INTO st_gate VALUES (2);
CALL migrate_apply('head');
SELECT count(*) AS rows, (SELECT count(*) FROM pg_indexes WHERE indexname = 'st_d_id') AS indexes FROM st_d;

-- progress of other SQL than the revision's now counts for nothing
SELECT migrate_revision('again', 'UPDATE st_c SET v = v + 10 WHERE true; COMMIT; INSERT INTO st_c SELECT 1 / (SELECT count(*) - 2 FROM st_gate)::int',
	id => 'st03', transactional => false);
CALL migrate_apply('head');
SELECT revision, stretch FROM migrate.progress;
SELECT migrate_load(E'-- migrate:revision st03\n-- migrate:parents st02\n-- migrate:transactional false\n-- migrate:message again\n\n-- migrate:upgrade\nUPDATE st_c SET v = v + 100 WHERE true;\nCOMMIT;\nINSERT INTO st_c VALUES (7);\n');
CALL migrate_apply('head');
SELECT string_agg(v::text, ',' ORDER BY v) AS c FROM st_c;

-- a new enum value is usable once the transaction that added it commits:
-- one migrate_upgrade call is one transaction, CALL migrate_apply commits
-- after each revision
CREATE TYPE st_mood AS ENUM ('sad');
SELECT migrate_revision('happy', 'ALTER TYPE st_mood ADD VALUE ''happy''', id => 'st04');
SELECT migrate_revision('use it', 'CREATE TABLE st_feeling (m st_mood DEFAULT ''happy''); INSERT INTO st_feeling DEFAULT VALUES', 'DROP TABLE st_feeling', id => 'st05');
SELECT * FROM err($$SELECT * FROM migrate_upgrade('head')$$);
CALL migrate_apply('head');
SELECT m FROM st_feeling;

-- cleanup
CALL migrate_unapply('base');
DROP EXTENSION migrate;
DROP TABLE st_a, st_b, st_c, st_gate;
DROP TYPE st_mood;
