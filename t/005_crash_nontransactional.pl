
# A crash while CALL migrate_apply runs a non-transactional revision
# (CREATE INDEX CONCURRENTLY in a background worker): after recovery the
# revision is not applied, the interrupted build's invalid index is still
# there, and the same CALL drops it, builds the index and goes on.

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

my $node = PostgreSQL::Test::Cluster->new('crash_nt');
$node->init;
$node->start;
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION migrate;
SELECT migrate_revision('big', 'CREATE TABLE big (id int); INSERT INTO big SELECT generate_series(1, 1000)',
						'DROP TABLE big', id => 'nt1');
SELECT migrate_revision('index it', 'CREATE INDEX CONCURRENTLY big_id ON big (id)',
						'DROP INDEX CONCURRENTLY big_id', id => 'nt2', transactional => false);
SELECT migrate_revision('more', 'ALTER TABLE big ADD COLUMN x int', 'ALTER TABLE big DROP COLUMN x', id => 'nt3');
CALL migrate_apply('nt1');
});

# An old snapshot makes the concurrent build wait, after it has created
# its (still invalid) index.
my $holder = $node->background_psql('postgres');
$holder->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM big;');

my $runner = $node->background_psql('postgres', on_error_stop => 0);
$runner->query_until(qr/started/, q{
\echo started
SET migrate.lock_timeout = 0;
CALL migrate_apply('head');
});
ok( $node->poll_query_until('postgres', q{
SELECT count(*) > 0 FROM pg_stat_activity
 WHERE backend_type = 'migrate worker' AND query LIKE 'CREATE INDEX CONCURRENTLY%'
   AND wait_event_type = 'Lock'}),
	'the worker builds the index, waiting for the old snapshot');

$node->stop('immediate');
eval { $runner->quit; };
eval { $holder->quit; };
$node->start;

is($node->safe_psql('postgres', 'SELECT string_agg(revision, \' \' ORDER BY revision) FROM migrate.applied'),
	'nt1', 'after the crash only the first revision is applied');
is($node->safe_psql('postgres', q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_id'::regclass}),
	'f', 'the interrupted build left an invalid index');

my ($ret, $out, $err) = $node->psql('postgres', q{CALL migrate_apply('head')});
is($ret, 0, 'the same CALL goes on');
is($node->safe_psql('postgres', 'SELECT string_agg(revision, \' \' ORDER BY revision) FROM migrate.applied'),
	'nt1 nt2 nt3', 'every revision applied');
is($node->safe_psql('postgres', q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_id'::regclass}),
	't', 'the index is valid');
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_index WHERE NOT indisvalid'),
	'0', 'no invalid index anywhere');
like(slurp_file($node->logfile), qr/dropping invalid index public\.big_id left by an interrupted build/,
	'the leftover was dropped first');

$node->stop;
done_testing();
