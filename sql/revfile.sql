--
-- revfile: the revision file format, dbmate files, and what no revision
-- may contain
--
CREATE EXTENSION migrate;

-- every directive
SELECT migrate_load($file$-- migrate:revision rf000001
-- migrate:message create persons
-- migrate:branch-labels people

-- migrate:upgrade
CREATE TABLE rf_person (id int PRIMARY KEY, name text NOT NULL);
-- migrate:allow some-rule (per-statement markers stay in the SQL)
CREATE INDEX rf_person_name ON rf_person (name);

-- migrate:downgrade
DROP TABLE rf_person;
$file$);
SELECT migrate_load($file$-- a plain comment before the directives is fine
-- migrate:revision rf000002
-- migrate:parents rf000001
-- migrate:depends-on people
-- migrate:transactional true
-- migrate:message add persons.hipaa_certified
-- migrate:upgrade
ALTER TABLE rf_person ADD COLUMN hipaa_certified boolean NOT NULL DEFAULT false;
-- migrate:downgrade
ALTER TABLE rf_person DROP COLUMN hipaa_certified;
$file$);
SELECT revision, parents, depends_on, branch_labels, message, transactional, markers, upgrade, downgrade
  FROM migrate_show('rf000001');
SELECT revision, parents, depends_on, message, upgrade FROM migrate_show('rf000002');

-- a file with no parents directive is a root
SELECT migrate_load(E'-- migrate:revision rf000003\n-- migrate:upgrade\nSELECT 1;');
SELECT revision, parents, markers FROM migrate_history() WHERE revision = 'rf000003';

-- dbmate files: no revision directive; the id comes from the call (or
-- from the checksum), the parent is the single head
SELECT migrate_merge('{rf000002,rf000003}', 'one head again', id => 'rf000004');
SELECT migrate_load($file$-- migrate:up
CREATE TABLE rf_dbmate (id int);

-- migrate:down
DROP TABLE rf_dbmate;
$file$, id => '20240101120000');
SELECT migrate_load(E'-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY rf_dbmate_id ON rf_dbmate (id);\n-- migrate:down\nDROP INDEX CONCURRENTLY rf_dbmate_id;\n');
SELECT revision, parents, transactional, upgrade FROM migrate_history() h
  JOIN LATERAL migrate_show(h.revision) s USING (revision, parents, message)
 WHERE revision NOT LIKE 'rf%';
-- loading the same file again is a no-op, not a new revision
SELECT migrate_load(E'-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY rf_dbmate_id ON rf_dbmate (id);\n-- migrate:down\nDROP INDEX CONCURRENTLY rf_dbmate_id;\n');
SELECT count(*) FROM migrate_history();

SELECT step, revision, statements FROM migrate_upgrade('20240101120000');

-- malformed files
SELECT * FROM err($$SELECT migrate_load('')$$);
SELECT * FROM err($$SELECT migrate_load(NULL)$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision x1\nSELECT 1;')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision x1\n-- migrate:parent rf000001\n-- migrate:upgrade\nSELECT 1;')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision x1\n-- migrate:revision x2\n-- migrate:upgrade\nSELECT 1;')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision x1 x2\n-- migrate:upgrade\nSELECT 1;')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision x1\n-- migrate:transactional maybe\n-- migrate:upgrade\nSELECT 1;')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision x1\n-- migrate:downgrade\nSELECT 1;\n-- migrate:upgrade\nSELECT 1;')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision x1\n-- migrate:upgrade\nSELECT 1;\n-- migrate:upgrade\nSELECT 2;')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision x1\n-- migrate:upgrade\nSELECT 1;\n-- migrate:message late\n')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:up transaction:maybe\nSELECT 1;')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision x1\n-- migrate:upgrade\nSELECT 1;', id => 'x2')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision bad-id\n-- migrate:upgrade\nSELECT 1;')$$);

-- SQL the parser rejects: the error points into the revision
SELECT migrate_load(E'-- migrate:revision x1\n-- migrate:upgrade\nSELECT 1;\nSELEC 2;');

-- psql meta-commands are refused, wherever they are
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision x1\n-- migrate:upgrade\n\\set ON_ERROR_STOP on\nSELECT 1;')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision x1\n-- migrate:upgrade\nSELECT 1;\n-- migrate:downgrade\nSELECT 1;\n\\i other.sql\n')$$);
-- but a backslash inside a string is only data
SELECT migrate_load(E'-- migrate:revision x1\n-- migrate:upgrade\nSELECT E''a\\\\b'', ''c\\d'';');

-- transaction control is refused in a transactional revision; in a
-- non-transactional one, all but BEGIN and COMMIT, which separate stretches
SELECT * FROM err($$SELECT migrate_revision('m', 'BEGIN; CREATE TABLE x (); COMMIT;', id => 'x2')$$);
SELECT * FROM err($$SELECT migrate_revision('m', 'SELECT 1; COMMIT AND CHAIN;', id => 'x2')$$);
SELECT * FROM err($$SELECT migrate_revision('m', 'SELECT 1', E'SAVEPOINT s;\nROLLBACK TO s;', id => 'x2')$$);
SELECT * FROM err($$SELECT migrate_revision('m', 'PREPARE TRANSACTION ''x''', id => 'x2', transactional => false)$$);
-- COPY from or to the client cannot work in the server
SELECT * FROM err($$SELECT migrate_revision('m', 'COPY rf_person FROM STDIN', id => 'x2')$$);
-- what cannot run in a transaction block needs transactional => false
SELECT * FROM err($$SELECT migrate_revision('m', 'CREATE INDEX CONCURRENTLY i ON rf_person (id)', id => 'x2')$$);
SELECT * FROM err($$SELECT migrate_revision('m', 'DROP INDEX CONCURRENTLY i', id => 'x2')$$);
SELECT * FROM err($$SELECT migrate_revision('m', 'REINDEX (CONCURRENTLY) TABLE rf_person', id => 'x2')$$);
SELECT * FROM err($$SELECT migrate_revision('m', 'REINDEX TABLE CONCURRENTLY rf_person', id => 'x2')$$);
SELECT * FROM err($$SELECT migrate_revision('m', 'VACUUM rf_person', id => 'x2')$$);
SELECT * FROM err($$SELECT migrate_revision('m', 'ALTER TABLE p DETACH PARTITION c CONCURRENTLY', id => 'x2')$$);
SELECT * FROM err($$SELECT migrate_revision('m', 'CREATE DATABASE x', id => 'x2')$$);
SELECT * FROM err($$SELECT migrate_revision('m', 'ALTER SYSTEM SET work_mem = 1', id => 'x2')$$);
-- ANALYZE and a plain REINDEX run fine in a transaction
SELECT migrate_revision('m', 'ANALYZE rf_person; REINDEX TABLE rf_person;', id => 'x2', parents => '{x1}');

-- empty and huge scripts
SELECT migrate_load(E'-- migrate:revision x3\n-- migrate:parents x2\n-- migrate:upgrade\n');
SELECT migrate_load(E'-- migrate:revision x4\n-- migrate:parents x3\n-- migrate:upgrade\n-- only a comment\n;;\n');
SELECT migrate_revision('huge', string_agg(format('INSERT INTO rf_big VALUES (%s);', i), E'\n'),
						id => 'x5', parents => '{x4}')
  FROM generate_series(1, 20000) i;
SELECT migrate_revision('table for huge', 'CREATE TABLE rf_big (i int)', 'DROP TABLE rf_big', id => 'x0', parents => '{}');
SELECT migrate_load(E'-- migrate:revision x5\n-- migrate:parents x4\n-- migrate:depends-on x0\n-- migrate:upgrade\n' || upgrade) FROM migrate_show('x5');
SELECT step, revision, statements FROM migrate_upgrade('x5');
SELECT count(*), sum(i) FROM rf_big;

-- text in other scripts, and text that is not valid in the database
SELECT migrate_revision('Ünïcødé 表', 'CREATE TABLE "rf_émoji_😀" (ß int)', 'DROP TABLE "rf_émoji_😀"', id => 'x6', parents => '{x5}');
SELECT step, revision, message FROM migrate_upgrade('x6');
SELECT * FROM err($$SELECT migrate_load(convert_from('\x2d2d206d6967726174653a75700a53454c45435420ff'::bytea, 'UTF8'))$$);

-- line numbers are lines of the file: the error names line 8 of the file;
-- a header line more is an edit (the SQL is the same) that the load takes,
-- and the line is 9
SELECT migrate_load($file$-- migrate:revision x7
-- migrate:parents x6
-- migrate:message lines
-- a comment

-- migrate:upgrade
CREATE TABLE rf_lines (i int);
SELECT 1/0;
-- migrate:downgrade
DROP TABLE rf_lines;
$file$);
SELECT migrate_upgrade('x7');
SELECT state FROM migrate_file_state($file$-- migrate:revision x7
-- migrate:parents x6
-- migrate:message lines
-- a comment
-- a second comment

-- migrate:upgrade
CREATE TABLE rf_lines (i int);
SELECT 1/0;
-- migrate:downgrade
DROP TABLE rf_lines;
$file$);
SELECT migrate_load($file$-- migrate:revision x7
-- migrate:parents x6
-- migrate:message lines
-- a comment
-- a second comment

-- migrate:upgrade
CREATE TABLE rf_lines (i int);
SELECT 1/0;
-- migrate:downgrade
DROP TABLE rf_lines;
$file$);
SELECT upgrade_line, downgrade_line FROM migrate.revision WHERE id = 'x7';
SELECT migrate_upgrade('x7');
SELECT migrate_forget('x7');

SELECT count(*) FROM (SELECT migrate_downgrade('base')) d;
DROP EXTENSION migrate;
