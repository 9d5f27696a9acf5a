--
-- effects: what a revision actually created, altered and dropped, logged
-- with it and shown by migrate_show; a warning for what a CASCADE takes
-- that the statement does not name
--
CREATE EXTENSION migrate;
SET client_min_messages = warning;

SELECT migrate_revision('base', $$
CREATE SCHEMA ef;
CREATE TABLE ef.persons (id int CONSTRAINT persons_pkey PRIMARY KEY, nickname text);
CREATE VIEW ef.nicknames AS SELECT id, nickname FROM ef.persons;
$$, $$DROP VIEW ef.nicknames; DROP TABLE ef.persons; DROP SCHEMA ef$$, id => 'ef01');
SELECT migrate_revision('no nicknames', $$
-- migrate:allow drop-cascade
ALTER TABLE ef.persons DROP COLUMN nickname CASCADE;
$$, $$ALTER TABLE ef.persons ADD COLUMN nickname text;
CREATE VIEW ef.nicknames AS SELECT id, nickname FROM ef.persons$$, id => 'ef02');

-- the cascade takes the view: a warning names it
SELECT step, revision FROM migrate_upgrade('head');

-- the log keeps what each revision did
SELECT revision, direction, e ->> 'action' AS action, e ->> 'type' AS type,
	   e ->> 'object' AS object, e -> 'cascade' AS cascade
  FROM migrate.log, jsonb_array_elements(effects) WITH ORDINALITY AS x(e, n)
 ORDER BY id, n;
-- migrate_show gives the last run's
SELECT effects -> 'direction' AS direction,
	   jsonb_array_length(effects -> 'effects') AS effects
  FROM migrate_show('ef02');
SELECT step, revision FROM migrate_downgrade('ef01');
SELECT effects -> 'direction' AS direction, effects -> 'effects' AS effects
  FROM migrate_show('ef02');
-- a revision that never ran has none; a stamp records none
SELECT migrate_revision('later', 'CREATE TABLE ef.later (id int)', 'DROP TABLE ef.later',
	id => 'ef03');
SELECT effects IS NULL AS none FROM migrate_show('ef03');
SELECT migrate_forget('ef03');
SELECT count(*) FROM migrate_stamp('head');
SELECT effects -> 'direction' AS direction FROM migrate_show('ef02');

-- a dropped table's own constraints and defaults are named with it; a
-- foreign key of another table is not
SELECT migrate_revision('tags', $$
CREATE TABLE ef.tags (id serial CONSTRAINT tags_pkey PRIMARY KEY,
	label text CONSTRAINT tags_label_check CHECK (label <> ''));
CREATE TABLE ef.person_tags (person_id int, tag_id int
	CONSTRAINT person_tags_tag_fk REFERENCES ef.tags);
$$, $$DROP TABLE ef.person_tags; DROP TABLE ef.tags$$, id => 'ef05', parents => '{ef02}');
SELECT migrate_revision('no tags', $$
-- migrate:allow drop-cascade
DROP TABLE ef.tags CASCADE;
$$, $$SELECT 1$$, id => 'ef06');
SELECT step, revision FROM migrate_upgrade('ef06');
SELECT e ->> 'type' AS type, e ->> 'object' AS object, e -> 'cascade' AS cascade
  FROM migrate.log, jsonb_array_elements(effects) AS x(e)
 WHERE revision = 'ef06' ORDER BY 1, 2;
SELECT count(*) FROM migrate_stamp('ef02');
SELECT migrate_forget('ef06');
SELECT migrate_forget('ef05');
SET migrate.enforce = off;
DROP TABLE ef.person_tags;
RESET migrate.enforce;

-- a dropped schema's own objects are named with it: no warning for them,
-- but one for a view elsewhere that depended on them
CREATE VIEW public.ef_ids AS SELECT id FROM ef.persons;
SELECT migrate_revision('drop the schema', $$
-- migrate:allow drop-cascade
DROP SCHEMA ef CASCADE;
$$, $$CREATE SCHEMA ef$$, id => 'ef04', parents => '{ef02}');
SELECT step, revision FROM migrate_upgrade('ef04');
SELECT e ->> 'object' AS object, e -> 'cascade' AS cascade
  FROM migrate.log, jsonb_array_elements(effects) AS x(e)
 WHERE revision = 'ef04' ORDER BY 1;
SELECT count(*) FROM migrate_stamp('ef02');
SELECT migrate_forget('ef04');
SET migrate.enforce = off;
CREATE SCHEMA ef;
CREATE TABLE ef.persons (id int CONSTRAINT persons_pkey PRIMARY KEY, nickname text);
CREATE VIEW ef.nicknames AS SELECT id, nickname FROM ef.persons;
RESET migrate.enforce;

-- migrate_verify sees the same warning and does not log anything
SELECT count(*) FROM migrate_stamp('ef01');
SELECT count(*) AS log_before FROM migrate.log \gset
SELECT revision, status FROM migrate_verify();
SELECT count(*) = :log_before AS nothing_logged FROM migrate.log;

-- a non-transactional revision, which CALL migrate_apply hands to a
-- background worker stretch by stretch: its effects are logged too, those
-- of each stretch recorded with it when it commits (a CONCURRENTLY build
-- alone, then the statements between COMMITs)
SELECT migrate_revision('concurrently', $$
CREATE INDEX CONCURRENTLY persons_id_idx ON ef.persons (id);
COMMIT;
CREATE TABLE ef.audit (id int);
ALTER TABLE ef.audit ADD COLUMN at timestamptz;
$$, $$DROP INDEX CONCURRENTLY ef.persons_id_idx;
COMMIT;
DROP TABLE ef.audit$$, id => 'ef07', parents => '{ef01}', transactional => false);
CALL migrate_apply('ef07');
SELECT direction, e ->> 'action' AS action, e ->> 'type' AS type,
	   e ->> 'object' AS object
  FROM migrate.log, jsonb_array_elements(effects) WITH ORDINALITY AS x(e, n)
 WHERE revision = 'ef07' ORDER BY id, n;
CALL migrate_unapply('ef01');
SELECT effects -> 'direction' AS direction, effects -> 'effects' AS effects
  FROM migrate_show('ef07');
SELECT count(*) AS progress_left FROM migrate.progress;

-- a stretch that fails keeps nothing of what it did; the run that resumes
-- at it logs the stretch before it (from the first run) and its own
SET migrate.enforce = off;
CREATE TABLE ef.s3 (id int);
RESET migrate.enforce;
SELECT migrate_revision('three stretches', $$
CREATE TABLE ef.s1 (id int);
COMMIT;
CREATE TABLE ef.s2 (id int);
CREATE TABLE ef.s3 (id int);
$$, $$DROP TABLE ef.s3; DROP TABLE ef.s2; DROP TABLE ef.s1$$, id => 'ef08',
	parents => '{ef01}', transactional => false);
\set VERBOSITY terse
CALL migrate_apply('ef08');
\set VERBOSITY default
SELECT stretch, effects FROM migrate.progress WHERE revision = 'ef08';
SET migrate.enforce = off;
DROP TABLE ef.s3;
RESET migrate.enforce;
CALL migrate_apply('ef08');
SELECT e ->> 'action' AS action, e ->> 'object' AS object
  FROM migrate.log, jsonb_array_elements(effects) WITH ORDINALITY AS x(e, n)
 WHERE revision = 'ef08' AND outcome = 'success' ORDER BY id, n;

DROP EXTENSION migrate;
DROP SCHEMA ef CASCADE;
