--
-- targets: every spelling of the target language, and every refusal
--
CREATE EXTENSION migrate;

-- a line of four revisions; "trunk" labels the root
SELECT migrate_revision('one', 'SELECT 1', id => 'abc10001', branch_labels => '{trunk}');
SELECT migrate_revision('two', 'SELECT 2', id => 'abc10002');
SELECT migrate_revision('three', 'SELECT 3', id => 'abc20003');
SELECT migrate_revision('four', 'SELECT 4', id => 'abd30004');

-- which revision a target names (no row: base)
CREATE FUNCTION resolve(target text) RETURNS text
LANGUAGE sql AS $$ SELECT coalesce((SELECT revision FROM migrate_show(target)), '<base>') $$;

SELECT t AS target, resolve(t) FROM unnest(ARRAY[
	'head', 'heads', 'base', 'abc10001', 'abc2', 'abd3', 'trunk',
	'trunk@head', 'trunk@heads', 'trunk@base', 'trunk@abc20003', 'trunk@abc2',
	'abc10002@head', 'head-1', 'head-3', 'head-4', 'base+1', 'base+4',
	'abc10001+2', 'abc2-1', 'abc2+0', 'trunk@base+2', 'current']) AS t;

-- relative to the current revision
SELECT * FROM migrate_stamp('abc10002');
SELECT t AS target, resolve(t) FROM unnest(ARRAY[
	'current', '+1', '+2', '-1', '-2', 'trunk@+1', 'trunk@-1', 'current+1']) AS t;

-- refusals: syntax
SELECT * FROM err($$SELECT resolve('')$$);
SELECT * FROM err($$SELECT resolve('@head')$$);
SELECT * FROM err($$SELECT resolve('trunk@')$$);
SELECT * FROM err($$SELECT resolve('a@b@c')$$);
SELECT * FROM err($$SELECT resolve('head+')$$);
SELECT * FROM err($$SELECT resolve('head+x')$$);
SELECT * FROM err($$SELECT resolve('head+1-1')$$);
SELECT * FROM err($$SELECT resolve('+99999999999')$$);
SELECT * FROM err($$SELECT resolve('abc$')$$);
SELECT * FROM err($$SELECT resolve('abc 1')$$);
SELECT * FROM err($$SELECT migrate_upgrade(NULL)$$);
SELECT * FROM err($$SELECT migrate_stamp(NULL::text[])$$);
SELECT * FROM err($$SELECT migrate_stamp(ARRAY[NULL])$$);

-- refusals: unknown, ambiguous, too short
SELECT * FROM err($$SELECT resolve('zzzz')$$);
SELECT * FROM err($$SELECT resolve('abc1')$$);
SELECT * FROM err($$SELECT resolve('abd')$$);
SELECT * FROM err($$SELECT resolve('nolabel@head')$$);
SELECT * FROM err($$SELECT resolve('abc1@head')$$);

-- refusals: walking too far
SELECT * FROM err($$SELECT resolve('head+1')$$);
SELECT * FROM err($$SELECT resolve('head-5')$$);
SELECT * FROM err($$SELECT resolve('base+5')$$);
SELECT * FROM err($$SELECT resolve('base-1')$$);
SELECT * FROM err($$SELECT resolve('-3')$$);
SELECT * FROM err($$SELECT resolve('+3')$$);

-- a second line: two heads, two roots, a revision outside a branch
SELECT migrate_revision('other', 'SELECT 5', id => 'oth00001', parents => '{}', branch_labels => '{other}');
SELECT * FROM err($$SELECT resolve('head')$$);
SELECT * FROM err($$SELECT resolve('heads')$$);
SELECT * FROM err($$SELECT resolve('trunk@oth00001')$$);
SELECT * FROM err($$SELECT resolve('base+1')$$);
SELECT t AS target, resolve(t) FROM unnest(ARRAY[
	'trunk@head', 'other@head', 'other@base+1', 'other@+1', 'oth00001-1', '-1']) AS t;

-- several current revisions make "+1" and "-1" ambiguous
SELECT * FROM migrate_stamp('oth00001');
SELECT revision FROM migrate_current();
SELECT * FROM err($$SELECT resolve('-1')$$);
SELECT * FROM err($$SELECT resolve('+1')$$);
SELECT resolve('trunk@+1'), resolve('other@-1');

-- history ranges: [start]:[end], both ends included, newest first
SELECT revision FROM migrate_history('abc10002:abd30004');
SELECT revision FROM migrate_history(':abc10002');
SELECT revision FROM migrate_history('abc20003:');
SELECT revision FROM migrate_history('base:trunk@head');
SELECT revision FROM migrate_history('current:heads');
SELECT * FROM err($$SELECT * FROM migrate_history('abd30004:abc10001')$$);
SELECT * FROM err($$SELECT * FROM migrate_history('abc10001')$$);
SELECT * FROM err($$SELECT * FROM migrate_history('a:b:c')$$);

-- "<label>@+N" when nothing of the branch is applied and the branch starts
-- at a branch point another branch went past: from the branch point into
-- the labelled branch, as Alembic walks (not from base)
SELECT migrate_revision('side', 'SELECT 6', id => 'sid00001', parents => '{abc10002}', branch_labels => '{side}');
SELECT * FROM migrate_stamp('abc20003');
SELECT revision FROM migrate_current();
SELECT resolve('side@+1');
SELECT * FROM err($$SELECT resolve('side@+2')$$);
SELECT revision FROM migrate_upgrade('side@+1');
SELECT revision FROM migrate_current();

-- "-1" from several current revisions steps down to their common parent;
-- from a merge point, to the state right before the merge (what a
-- downgrade to it would unapply)
SELECT migrate_revision('fork a', 'SELECT 7', id => 'frk00001', parents => '{sid00001}');
SELECT migrate_revision('fork b', 'SELECT 8', id => 'frk00002', parents => '{sid00001}');
SELECT step, revision FROM migrate_upgrade('frk00001');
SELECT step, revision FROM migrate_upgrade('frk00002');
SELECT revision FROM migrate_current() WHERE revision LIKE 'frk%';
SELECT resolve('side@-1');
SELECT migrate_merge('{frk00001,frk00002}', 'join', id => 'frk00003');
SELECT step, revision FROM migrate_upgrade('frk00003');
SELECT step, revision FROM migrate_plan('side@-1', 'downgrade');
SELECT step, revision FROM migrate_plan('side@-2', 'downgrade');

DROP FUNCTION resolve;
DROP EXTENSION migrate;
