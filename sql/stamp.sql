--
-- stamp: bookkeeping only, lineage by lineage
--
CREATE EXTENSION migrate;
-- ad-hoc DDL here runs in schema public, which the test's revisions
-- manage; the guard has tests of its own
SET migrate.enforce = off;

-- s1 - s2 - s3 - s4 ; s2 - s5 - s6 ; label "side" on s5
SELECT migrate_revision('one', 'CREATE TABLE s_one ()', id => 's0000001');
SELECT migrate_revision('two', 'CREATE TABLE s_two ()', id => 's0000002');
SELECT migrate_revision('three', 'CREATE TABLE s_three ()', id => 's0000003');
SELECT migrate_revision('four', 'CREATE TABLE s_four ()', id => 's0000004');
SELECT migrate_revision('five', 'CREATE TABLE s_five ()', id => 's0000005', parents => '{s0000002}', branch_labels => '{side}');
SELECT migrate_revision('six', 'CREATE TABLE s_six ()', id => 's0000006', parents => '{s0000005}');

CREATE VIEW state AS
	SELECT string_agg(revision, ' ' ORDER BY revision) AS applied,
		   bool_and(stamped) AS all_stamped,
		   (SELECT count(*) FROM pg_class WHERE relname LIKE 's\_%') AS tables
	  FROM migrate.applied;

-- stamping runs no SQL: the tables never appear
SELECT * FROM migrate_stamp('s0000004');
SELECT * FROM state;

-- another branch's stamp leaves this one alone
SELECT * FROM migrate_stamp('s0000006');
SELECT * FROM state;
SELECT revision FROM migrate_current();

-- stamping down a lineage collapses it onto the target
SELECT * FROM migrate_stamp('s0000003');
SELECT * FROM state;
SELECT * FROM migrate_stamp('s0000001');
SELECT * FROM state;

-- stamping what is already there changes nothing
SELECT * FROM migrate_stamp('s0000001');

-- relative and labelled targets
SELECT * FROM migrate_stamp('+1');
SELECT * FROM migrate_stamp('side@head');
SELECT * FROM state;

-- several targets at once, and all heads
SELECT * FROM migrate_stamp('base');
SELECT * FROM migrate_stamp(ARRAY['s0000003', 's0000005']);
SELECT * FROM state;
SELECT * FROM migrate_stamp('base');
SELECT * FROM migrate_stamp('heads');
SELECT * FROM state;

-- refusals: overlapping targets, base with others, walking off an empty state
SELECT * FROM err($$SELECT migrate_stamp(ARRAY['s0000002', 's0000004'])$$);
SELECT * FROM err($$SELECT migrate_stamp(ARRAY['s0000004', 's0000004'])$$);
SELECT * FROM err($$SELECT migrate_stamp(ARRAY['base', 's0000004'])$$);
SELECT * FROM err($$SELECT migrate_stamp('{}'::text[])$$);
SELECT * FROM migrate_stamp('base');
SELECT * FROM err($$SELECT migrate_stamp('-1')$$);
SELECT * FROM err($$SELECT migrate_stamp('nosuch')$$);

-- label@base clears the label's lineage; the trunk it shares with the
-- other branch goes too, and with it that branch
SELECT * FROM migrate_stamp('heads');
SELECT * FROM migrate_stamp('side@base');
SELECT * FROM state;

-- every stamp is in the log, marked as stamped
SELECT direction, stamped, count(*) FROM migrate.log GROUP BY 1, 2 ORDER BY 1, 2;

DROP VIEW state;
DROP EXTENSION migrate;
