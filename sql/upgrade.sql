--
-- upgrade and downgrade: linear, branches, merges, depends_on, labels
--
CREATE EXTENSION migrate;
-- ad-hoc DDL here runs in schema public, which the test's revisions
-- manage; the guard has tests of its own
SET migrate.enforce = off;

-- a revision creates the table t_<id> and drops it on downgrade
CREATE FUNCTION rev(id text, parents text[], deps text[] DEFAULT NULL,
					labels text[] DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
	SELECT migrate_revision('make ' || id,
							format('CREATE TABLE %I (id int)', 't_' || id),
							format('DROP TABLE %I', 't_' || id),
							parents => parents, id => id, depends_on => deps,
							branch_labels => labels)
$$;

-- the applied set next to the tables that exist: they must always agree
-- (but for the merge revision ffff6666, which has no SQL)
CREATE VIEW state AS
	SELECT (SELECT string_agg(revision, ' ' ORDER BY revision) FROM migrate.applied) AS applied,
		   (SELECT string_agg(substr(relname, 3), ' ' ORDER BY relname)
			  FROM pg_class WHERE relname LIKE 't\_%' AND relkind = 'r') AS tables;

--
-- The graph:
--   aaaa1111 - bbbb2222 - cccc3333 -------------- ffff6666 (merge)
--                       \ dddd4444 - eeee5555 --/
--   gggg7777 (label lib) - hhhh8888 (depends on cccc3333)
--   dddd4444 carries label "feature", aaaa1111 label "core"
--
SELECT rev('aaaa1111', '{}', labels => '{core}');
SELECT rev('bbbb2222', '{aaaa1111}');
SELECT rev('cccc3333', '{bbbb2222}');
SELECT rev('dddd4444', '{bbbb2222}', labels => '{feature}');
SELECT rev('eeee5555', '{dddd4444}');
SELECT migrate_merge('{cccc3333,eeee5555}', 'merge the branches', id => 'ffff6666');
SELECT rev('gggg7777', '{}', labels => '{lib}');
SELECT rev('hhhh8888', '{gggg7777}', deps => '{cccc3333}');

SELECT * FROM migrate_heads();
SELECT * FROM migrate_branches();
SELECT * FROM state;

-- "head" is ambiguous with two heads
SELECT * FROM err($$SELECT migrate_upgrade('head')$$);
SELECT * FROM err($$SELECT migrate_upgrade()$$);
SELECT migrate_at_head();

-- the lib branch needs cccc3333 first: its lineage is applied before it
SELECT step, revision, message, statements FROM migrate_upgrade('lib@head');
SELECT * FROM state;
SELECT revision, message, markers FROM migrate_current();

-- upgrading to something already applied does nothing
SELECT step, revision FROM migrate_upgrade('bbbb2222');
SELECT step, revision FROM migrate_upgrade('cccc');

-- downgrading below a dependency takes its dependents along, children first
SELECT step, revision FROM migrate_downgrade('bbbb2222');
SELECT * FROM state;

-- a downgrade with nothing to remove is refused
SELECT * FROM err($$SELECT migrate_downgrade('bbbb2222')$$);
SELECT * FROM err($$SELECT migrate_downgrade('cccc3333')$$);
SELECT * FROM err($$SELECT migrate_downgrade('gggg7777')$$);

-- "+1" from a branch point is ambiguous; a label says which way
SELECT * FROM err($$SELECT migrate_upgrade('+1')$$);
SELECT * FROM err($$SELECT migrate_upgrade('bbbb2222+1')$$);
SELECT step, revision FROM migrate_upgrade('feature@+1');
SELECT * FROM state;

-- every head: the merge applies once both of its parents are
SELECT step, revision FROM migrate_upgrade('heads');
SELECT * FROM state;
SELECT revision, markers FROM migrate_current();
SELECT migrate_at_head();

-- "-1" with two current revisions is refused (Alembic only warns)
SELECT * FROM err($$SELECT migrate_downgrade('-1')$$);

-- "-1" below a merge unmerges: both parents stay current
SELECT step, revision FROM migrate_downgrade('ffff6666-1');
SELECT revision, markers FROM migrate_current();

-- label@-1 removes one step of that branch only
SELECT step, revision FROM migrate_downgrade('feature@-1');
SELECT step, revision FROM migrate_downgrade('feature@-1');
SELECT * FROM state;

-- label@base removes the label's lineage: here only the lib branch
SELECT step, revision FROM migrate_downgrade('lib@base');
SELECT * FROM state;

-- with nothing of the branch applied, label@-1 is refused (Alembic crashes)
SELECT * FROM err($$SELECT migrate_downgrade('lib@-1')$$);
SELECT * FROM err($$SELECT migrate_downgrade('lib@base')$$);

-- and a label sitting after a fork takes the shared trunk along
SELECT step, revision FROM migrate_upgrade('heads');
SELECT step, revision FROM migrate_downgrade('feature@base');
SELECT * FROM state;

-- relative steps from a symbol
SELECT * FROM err($$SELECT migrate_upgrade('base+1')$$);
SELECT * FROM err($$SELECT migrate_upgrade('-1')$$);
SELECT step, revision FROM migrate_upgrade('core@+2');
SELECT * FROM err($$SELECT migrate_downgrade('-1')$$);
SELECT step, revision FROM migrate_downgrade('core@-1');
SELECT * FROM err($$SELECT migrate_downgrade('core@+1')$$);
SELECT * FROM state;

-- base removes everything
SELECT step, revision FROM migrate_upgrade('heads');
SELECT step, revision FROM migrate_downgrade('base');
SELECT * FROM state;
SELECT * FROM err($$SELECT migrate_downgrade('base')$$);

-- upgrading to base is a no-op
SELECT step, revision FROM migrate_upgrade('base');

-- the log has one row per step, all successful
SELECT direction, stamped, outcome, count(*) FROM migrate.log GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT count(DISTINCT xact) AS calls FROM migrate.log;

DROP VIEW state;
DROP FUNCTION rev;
DROP EXTENSION migrate;
