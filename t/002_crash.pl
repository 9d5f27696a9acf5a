
# A crash in the middle of a long upgrade loses nothing and leaves nothing
# half done.
#
# migrate_upgrade runs every revision of a call in one transaction, so a
# server stopped with "-m immediate" (as a crash would) while the call runs
# must come back, after crash recovery, with the applied set and the schema
# exactly as before the call; and the same upgrade must then go through.

use strict;
use warnings;

use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

if (!$ENV{PG_REGRESS})
{
	my $pgxs = `pg_config --pgxs`;
	chomp $pgxs;
	$ENV{PG_REGRESS} = dirname($pgxs) . '/../test/regress/pg_regress';
}

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', 'restart_after_crash = on');
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION migrate');

# 200 revisions; each creates a table, fills it, and takes a little time.
$node->safe_psql(
	'postgres', q{
SELECT count(migrate_revision(
	'revision ' || i,
	format('CREATE TABLE cr_%s (id int); INSERT INTO cr_%s SELECT generate_series(1, 50); SELECT pg_sleep(0.02)', i, i),
	format('DROP TABLE cr_%s', i),
	id => 'cr' || lpad(i::text, 3, '0'),
	parents => CASE WHEN i = 1 THEN '{}'::text[] END))
  FROM generate_series(1, 200) i;
});

# Start from a state with some revisions applied.
is($node->safe_psql('postgres', q{SELECT count(*) FROM migrate_upgrade('cr020')}),
	'20', 'first 20 revisions applied');

my $state_sql = q{
SELECT (SELECT count(*) FROM migrate.applied) || ' applied, ' ||
       (SELECT count(*) FROM pg_class WHERE relname LIKE 'cr\_%' AND relkind = 'r') || ' tables, ' ||
       (SELECT count(*) FROM migrate.log) || ' log rows'};
my $before = $node->safe_psql('postgres', $state_sql);
is($before, '20 applied, 20 tables, 20 log rows', 'state before the crash');

# The long upgrade, in the background.
my $psql = $node->background_psql('postgres', on_error_stop => 0);
$psql->query_until(qr/started/, q{
\echo started
SELECT count(*) FROM migrate_upgrade('head');
});

# Wait until it has run for a while: some revisions of the call are done.
ok( $node->poll_query_until(
		'postgres', q{
SELECT count(*) > 0 FROM pg_stat_activity
 WHERE query LIKE 'SELECT count(*) FROM migrate_upgrade%' AND state = 'active'
   AND now() - query_start > interval '1 second'}),
	'the upgrade is running');

$node->stop('immediate');
eval { $psql->quit; };
$node->start;

is($node->safe_psql('postgres', $state_sql), $before,
	'after crash recovery: applied set, tables and log as before the call');
is($node->safe_psql('postgres', q{SELECT count(*) FROM migrate_check() WHERE problem <> 'pending'}),
	'0', 'migrate_check finds nothing but pending revisions');

# The same upgrade now goes through, and the applied set matches the schema.
is($node->safe_psql('postgres', q{SELECT count(*) FROM migrate_upgrade('head')}),
	'180', 'the upgrade applies the remaining 180 revisions');
is($node->safe_psql('postgres', $state_sql), '200 applied, 200 tables, 200 log rows',
	'applied set matches the schema');
is($node->safe_psql('postgres', q{
SELECT count(*) FROM migrate.applied a
 WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.relname = 'cr_' || ltrim(substr(a.revision, 3), '0'))}),
	'0', 'every applied revision has its table');
ok($node->safe_psql('postgres', 'SELECT migrate_at_head()') eq 't', 'at head');

$node->stop;
done_testing();
