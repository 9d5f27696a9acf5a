--
-- lint_data: hazards that depend on the data are decided against it.  A
-- statement that drops, renames or empties what holds no row passes; the
-- same statement on what holds rows is stopped.  Each such rule both ways,
-- then the executor: a history replayed on empty tables is quiet, the same
-- revision on populated tables stops right before the statement.
--
CREATE EXTENSION migrate;
SET client_min_messages = warning;
-- ad-hoc DDL below sets up the fixtures; the guard has tests of its own
SET migrate.enforce = off;

CREATE TABLE ld_empty (id int, a int, b text);
CREATE TABLE ld_full (id int, a int, b text);
INSERT INTO ld_full VALUES (1, 1, 'x'), (2, 2, 'y');
CREATE VIEW ld_v_empty AS SELECT id FROM ld_empty;
CREATE VIEW ld_v_full AS SELECT e.id FROM ld_empty e JOIN ld_full f USING (id);
CREATE SEQUENCE ld_seq_unused;
CREATE SEQUENCE ld_seq_used;
SELECT nextval('ld_seq_used') AS used;
CREATE SCHEMA ld_s_empty;
CREATE TABLE ld_s_empty.t (id int);
CREATE SCHEMA ld_s_full;
CREATE TABLE ld_s_full.t (id int);
INSERT INTO ld_s_full.t VALUES (1);
CREATE TYPE ld_mood_unused AS ENUM ('sad', 'happy');
CREATE TYPE ld_mood_used AS ENUM ('sad', 'happy');
CREATE DOMAIN ld_mood_domain AS ld_mood_used;
CREATE TABLE ld_feelings (m ld_mood_domain[]);
INSERT INTO ld_feelings VALUES ('{happy}');
CREATE TABLE ld_parent (id int PRIMARY KEY);
CREATE TABLE ld_child (parent int REFERENCES ld_parent);
INSERT INTO ld_child VALUES (NULL);
CREATE TABLE ld_parent2 (id int PRIMARY KEY);
CREATE TABLE ld_child2 (parent int REFERENCES ld_parent2);
RESET client_min_messages;

-- each rule on an object that holds nothing, then on one that holds rows
SELECT c.rule, e.fires AS on_empty, f.fires AS on_rows
  FROM (VALUES
	('renaming-column', 'ALTER TABLE ld_empty RENAME COLUMN a TO a2', 'ALTER TABLE ld_full RENAME COLUMN a TO a2'),
	('renaming-table', 'ALTER TABLE ld_empty RENAME TO ld_e2', 'ALTER TABLE ld_full RENAME TO ld_f2'),
	('renaming-table', 'ALTER VIEW ld_v_empty RENAME TO ld_ve2', 'ALTER VIEW ld_v_full RENAME TO ld_vf2'),
	('renaming-schema', 'ALTER SCHEMA ld_s_empty RENAME TO ld_s2', 'ALTER SCHEMA ld_s_full RENAME TO ld_s3'),
	('dropping-column', 'ALTER TABLE ld_empty DROP COLUMN b', 'ALTER TABLE ld_full DROP COLUMN b'),
	('dropping-table', 'DROP TABLE ld_empty', 'DROP TABLE ld_full'),
	('dropping-table', 'DROP VIEW ld_v_empty', 'DROP VIEW ld_v_full'),
	('dropping-table', 'DROP SEQUENCE ld_seq_unused', 'DROP SEQUENCE ld_seq_used'),
	('dropping-schema', 'DROP SCHEMA ld_s_empty', 'DROP SCHEMA ld_s_full'),
	('drop-cascade', 'DROP TABLE ld_empty CASCADE', 'DROP TABLE ld_full CASCADE'),
	('drop-cascade', 'DROP SCHEMA ld_s_empty CASCADE', 'DROP SCHEMA ld_s_full CASCADE'),
	('drop-cascade', 'DROP TYPE ld_mood_unused CASCADE', 'DROP TYPE ld_mood_used CASCADE'),
	('drop-cascade', 'ALTER TABLE ld_empty DROP COLUMN b CASCADE', 'ALTER TABLE ld_full DROP COLUMN b CASCADE'),
	('drop-cascade', 'TRUNCATE ld_parent2 CASCADE', 'TRUNCATE ld_parent CASCADE'),
	('delete-or-update-without-where', 'DELETE FROM ld_empty', 'DELETE FROM ld_full'),
	('delete-or-update-without-where', 'UPDATE ld_empty SET a = 0', 'UPDATE ld_full SET a = 0'),
	('truncate', 'TRUNCATE ld_empty', 'TRUNCATE ld_full'),
	('disabling-triggers', 'ALTER TABLE ld_empty DISABLE TRIGGER ALL', 'ALTER TABLE ld_full DISABLE TRIGGER ALL'),
	('renaming-enum-value', 'ALTER TYPE ld_mood_unused RENAME VALUE ''sad'' TO ''blue''', 'ALTER TYPE ld_mood_used RENAME VALUE ''sad'' TO ''blue''')
  ) AS c(rule, on_empty, on_rows),
  LATERAL (SELECT count(*) > 0 AS fires FROM migrate_lint(c.on_empty, live => true) l WHERE l.rule = c.rule) e,
  LATERAL (SELECT count(*) > 0 AS fires FROM migrate_lint(c.on_rows, live => true) l WHERE l.rule = c.rule) f;

-- what a finding says about the rows it found
SELECT rule, message FROM migrate_lint('ALTER TABLE ld_full DROP COLUMN b; TRUNCATE ld_full', live => true)
 WHERE rule IN ('dropping-column', 'truncate');
-- without the catalogs, the text alone: every one of them is reported
SELECT count(DISTINCT rule) AS rules FROM migrate_lint('ALTER TABLE ld_empty DROP COLUMN b; DELETE FROM ld_empty; TRUNCATE ld_empty; ALTER TABLE ld_empty RENAME COLUMN a TO a2', live => false);
-- session_replication_role is about the session, not the data: at load
SELECT rule FROM migrate_lint('SET session_replication_role = replica', live => true);

--
-- The executor.  A history whose later revisions drop, rename and empty
-- what earlier ones created replays on an empty database without a word
-- (one transaction, or one per revision with CALL migrate_apply).
--
SELECT migrate_revision('accounts', 'CREATE TABLE ld_acct (id int, legacy text, note text); CREATE TABLE ld_audit (at timestamptz)',
	'DROP TABLE ld_audit; DROP TABLE ld_acct', id => 'ld01');
SELECT migrate_revision('cleanup', 'ALTER TABLE ld_acct DROP COLUMN legacy; ALTER TABLE ld_acct RENAME COLUMN note TO remark; UPDATE ld_acct SET remark = ''''; TRUNCATE ld_audit; DROP TABLE ld_audit',
	'CREATE TABLE ld_audit (at timestamptz); ALTER TABLE ld_acct RENAME COLUMN remark TO note; ALTER TABLE ld_acct ADD COLUMN legacy text', id => 'ld02');
-- (at load, no finding about the data: the tables do not exist yet)
SELECT step, revision FROM migrate_upgrade('head');
SELECT step, revision FROM migrate_downgrade('base');
CALL migrate_apply('head');
SELECT revision FROM migrate_current();
SELECT step, revision FROM migrate_downgrade('ld01');

-- the same revision, once the table holds rows, stops right before the
-- statement that would lose them
INSERT INTO ld_acct VALUES (1, 'old', 'kept');
SELECT * FROM err($$SELECT * FROM migrate_upgrade('head')$$);
SELECT * FROM ld_acct;
-- its hint, followed: the revision (not applied) takes the marker
SELECT migrate_load(E'-- migrate:revision ld02\n-- migrate:parents ld01\n-- migrate:message cleanup\n\n-- migrate:upgrade\n-- migrate:allow dropping-column\nALTER TABLE ld_acct DROP COLUMN legacy;\n-- migrate:allow renaming-column\nALTER TABLE ld_acct RENAME COLUMN note TO remark;\n-- migrate:allow delete-or-update-without-where\nUPDATE ld_acct SET remark = '''';\nTRUNCATE ld_audit;\nDROP TABLE ld_audit;\n\n-- migrate:downgrade\nCREATE TABLE ld_audit (at timestamptz);\nALTER TABLE ld_acct RENAME COLUMN remark TO note;\nALTER TABLE ld_acct ADD COLUMN legacy text;\n');
SELECT step, revision FROM migrate_upgrade('head');
SELECT revision, rule, marker FROM migrate_allowances('ld02') ORDER BY statement;

-- a rename on a table that holds rows, loaded against this database: a
-- notice now, and stopped when it runs
SELECT migrate_revision('rename', 'ALTER TABLE ld_acct RENAME TO ld_account', 'ALTER TABLE ld_account RENAME TO ld_acct', id => 'ld03');
SELECT * FROM err($$SELECT * FROM migrate_upgrade('head')$$);
-- emptied, the same revision runs
DELETE FROM ld_acct;
SELECT step, revision FROM migrate_upgrade('head');

-- rows that migrations wrote (seed data) are the history's own: a later
-- revision, in a call of its own, may drop and empty what holds only them;
-- once the application wrote a row, the same statement stops
SELECT migrate_revision('seed', 'CREATE TABLE ld_kind (id int, label text, legacy text); INSERT INTO ld_kind VALUES (1, ''a'', ''x''), (2, ''b'', ''y'')',
	'DROP TABLE ld_kind', id => 'ld04');
SELECT step, revision FROM migrate_upgrade('ld04');
SELECT migrate_revision('unseed', 'ALTER TABLE ld_kind DROP COLUMN legacy; DELETE FROM ld_kind', 'ALTER TABLE ld_kind ADD COLUMN legacy text', id => 'ld05');
SELECT step, revision FROM migrate_upgrade('ld05');
SELECT step, revision FROM migrate_downgrade('ld04');
INSERT INTO ld_kind VALUES (3, 'c', 'from the application');
SELECT * FROM err($$SELECT * FROM migrate_upgrade('ld05')$$);
SELECT count(*) AS kinds FROM ld_kind;

-- seed rows that a later migration updated stay the history's own (the
-- table held nothing else when the migration updated it: migrate.seed_table);
-- the application's rows that a migration updated do not
SELECT migrate_revision('tags', 'CREATE TABLE ld_tag (id int, label text, legacy text); INSERT INTO ld_tag VALUES (1, ''a'', ''x'')',
	'DROP TABLE ld_tag', parents => '{ld04}', id => 'ld06');
SELECT migrate_revision('fix tags', 'UPDATE ld_tag SET label = upper(label) WHERE id > 0', 'SELECT 1', parents => '{ld06}', id => 'ld07');
SELECT migrate_revision('drop legacy', 'ALTER TABLE ld_tag DROP COLUMN legacy', 'ALTER TABLE ld_tag ADD COLUMN legacy text', parents => '{ld07}', id => 'ld08');
SELECT step, revision FROM migrate_upgrade('ld06');
SELECT step, revision FROM migrate_upgrade('ld07');
SELECT count(*) AS marked FROM migrate.seed_table WHERE relid = 'ld_tag'::regclass;
SELECT step, revision FROM migrate_upgrade('ld08');
SELECT step, revision FROM migrate_downgrade('ld06');
INSERT INTO ld_tag VALUES (2, 'b', 'from the application');
SELECT step, revision FROM migrate_upgrade('ld07');
SELECT count(*) AS marked FROM migrate.seed_table WHERE relid = 'ld_tag'::regclass;
SELECT * FROM err($$SELECT * FROM migrate_upgrade('ld08')$$);
SELECT step, revision FROM migrate_downgrade('ld04', drop_data => true);

-- cleanup
SELECT step, revision FROM migrate_downgrade('base', drop_data => true);
DROP EXTENSION migrate;
DROP TABLE ld_empty, ld_full, ld_feelings, ld_child, ld_parent, ld_child2, ld_parent2 CASCADE;
DROP SEQUENCE ld_seq_unused, ld_seq_used;
DROP SCHEMA ld_s_empty, ld_s_full CASCADE;
DROP DOMAIN ld_mood_domain;
DROP TYPE ld_mood_unused, ld_mood_used;
