--
-- graph: registering revisions, and every way the graph can be invalid
--
CREATE EXTENSION migrate;

-- parents => NULL: a root on an empty graph, then the single head
SELECT migrate_revision('first', 'CREATE TABLE g1 (id int)', 'DROP TABLE g1', id => 'g0000001');
SELECT migrate_revision('second', 'ALTER TABLE g1 ADD x int', 'ALTER TABLE g1 DROP x', id => 'g0000002');
SELECT revision, parents, markers FROM migrate_history();

-- generated ids are 12 lowercase hex digits (then start over, so that
-- no generated id shows below)
SELECT migrate_revision('third', 'SELECT 1') ~ '^[0-9a-f]{12}$' AS generated_id_ok;
SELECT count(*) FROM migrate_history();
DROP EXTENSION migrate;
DROP TABLE IF EXISTS g1;
CREATE EXTENSION migrate;
SELECT migrate_revision('first', 'CREATE TABLE g1 (id int)', 'DROP TABLE g1', id => 'g0000001');
SELECT migrate_revision('second', 'ALTER TABLE g1 ADD x int', 'ALTER TABLE g1 DROP x', id => 'g0000002');

-- ids: characters, length, keywords, duplicates
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'has-dash')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'a@b')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'a+b')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => '')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => repeat('x', 65))$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'head')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'g0000001', parents => '{}')$$);

-- parents and dependencies must exist; a prefix must be unique
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'x1', parents => '{nosuchrev}')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'x1', parents => '{g000}')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'x1', depends_on => '{nosuchrev}')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'x1', parents => '{g0000001,g0000001}')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'x1', parents => '{x1}')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'x1', parents => ARRAY[NULL])$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'x1', parents => '{"bad id"}')$$);
-- a unique prefix of four characters or more is resolved to the full id
SELECT migrate_revision('fourth', 'SELECT 2', id => 'g0000004', parents => '{g0000002}');
SELECT parents FROM migrate_show('g0000004');

-- a second root makes two heads: parents => NULL is then refused
SELECT migrate_revision('other root', 'CREATE TABLE g2 (id int)', 'DROP TABLE g2',
						id => 'r0000001', parents => '{}', branch_labels => '{other}');
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'x1')$$);

-- branch labels: one namespace with ids, used once, not keywords
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'x1', parents => '{r0000001}', branch_labels => '{other}')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'x1', parents => '{r0000001}', branch_labels => '{g0000001}')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'other', parents => '{r0000001}')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'x1', parents => '{r0000001}', branch_labels => '{heads}')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'x1', parents => '{r0000001}', branch_labels => '{x1}')$$);
SELECT * FROM err($$SELECT migrate_revision('m', '', id => 'x1', parents => '{r0000001}', branch_labels => '{a,a}')$$);

-- depends_on may name a branch label; it is stored as the revision id
SELECT migrate_revision('needs other', 'SELECT 3', id => 'g0000005', parents => '{g0000004}',
						depends_on => '{other}');
SELECT revision, depends_on FROM migrate_show('g0000005');

-- merges: at least two heads, each a head, no duplicates
SELECT * FROM err($$SELECT migrate_merge('{g0000005}', 'm')$$);
SELECT * FROM err($$SELECT migrate_merge('{g0000001,r0000001}', 'm')$$);
SELECT * FROM err($$SELECT migrate_merge('{g0000005,g0000005}', 'm')$$);
SELECT * FROM err($$SELECT migrate_merge('{g0000005,base}', 'm')$$);
SELECT * FROM err($$SELECT migrate_merge(NULL, 'm')$$);
SELECT migrate_merge('{g0000005,r0000001}', 'join', id => 'm0000001');
SELECT revision, parents, markers FROM migrate_history();
SELECT * FROM migrate_branches();

-- cycles can only come from changing an existing revision's edges:
-- migrate_load updates an unapplied revision, and the cycle is refused
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision g0000002\n-- migrate:parents m0000001\n-- migrate:upgrade\nSELECT 1;')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision g0000001\n-- migrate:depends-on g0000005\n-- migrate:upgrade\nSELECT 1;')$$);
SELECT * FROM err($$SELECT migrate_load(E'-- migrate:revision g0000001\n-- migrate:parents g0000001\n-- migrate:upgrade\nSELECT 1;')$$);
-- the failed updates changed nothing
SELECT revision, parents, depends_on FROM migrate_history() WHERE revision IN ('g0000001', 'g0000002');

-- NULL arguments: no SQL, no message
SELECT migrate_revision(NULL, NULL, id => 'n0000001', parents => '{m0000001}');
SELECT upgrade, downgrade, message FROM migrate_show('n0000001');

-- an unapplied revision may change its parents; the order stays
-- deterministic: parents and dependencies first, then creation order
-- (g0000004 now waits for r0000001, which was created after it)
SELECT migrate_load(E'-- migrate:revision g0000004\n-- migrate:parents g0000002 r0000001\n-- migrate:message fourth\n-- migrate:upgrade\nSELECT 2;');
SELECT step, revision, message FROM migrate_upgrade('head');
SELECT * FROM err($$SELECT migrate_revision('m', 'SELECT 1', id => 'x1', parents => '{n0000001}', depends_on => ARRAY[NULL])$$);

SELECT step, revision FROM migrate_downgrade('base');
DROP EXTENSION migrate;
