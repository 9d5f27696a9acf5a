
# pg_migrate running a non-transactional revision (CREATE INDEX
# CONCURRENTLY) in a plan that mixes it with transactional ones, and
# interrupted in the middle of the build: once by pg_terminate_backend of
# its session, once by a crash of the server (stop -m immediate).  Each
# time the revision is not recorded, the interrupted build has left an
# invalid index, and running pg_migrate again drops that index first
# (migrate_leftover_index), builds it, and goes on to the end of the plan.

use strict;
use warnings;

use File::Basename qw(dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# Lint findings (notices at load) are the subject of other suites.
$ENV{PGOPTIONS} = "-c client_min_messages=warning";

if (!$ENV{PG_REGRESS})
{
	my $pgxs = `pg_config --pgxs`;
	chomp $pgxs;
	$ENV{PG_REGRESS} = dirname($pgxs) . '/../test/regress/pg_regress';
}

my $node = PostgreSQL::Test::Cluster->new('client_crash');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE EXTENSION migrate');

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tempdir/migrations";
mkdir $dir or die;

sub pm
{
	return [ 'pg_migrate', '-d', 'app', '-h', $node->host, '-p', $node->port,
		'-D', $dir, @_ ];
}

sub revision
{
	my ($name, $id, $parent, $transactional, $up, $down) = @_;
	open my $fh, '>', "$dir/$name.sql" or die;
	print $fh "-- migrate:revision $id\n";
	print $fh "-- migrate:parents $parent\n" if $parent;
	print $fh "-- migrate:transactional false\n" unless $transactional;
	print $fh "-- migrate:message $name\n\n-- migrate:upgrade\n$up\n\n-- migrate:downgrade\n$down\n";
	close $fh;
}

revision('001_big', 'c1', undef, 1,
	"CREATE TABLE big (id int);\nINSERT INTO big SELECT generate_series(1, 1000);",
	'DROP TABLE big;');
revision('002_big_id', 'c2', 'c1', 0,
	'CREATE INDEX CONCURRENTLY big_id ON big (id);',
	'DROP INDEX CONCURRENTLY big_id;');
revision('003_more', 'c3', 'c2', 1,
	'ALTER TABLE big ADD COLUMN x int;', 'ALTER TABLE big DROP COLUMN x;');

my $applied_sql = q{SELECT coalesce(string_agg(revision, ' ' ORDER BY revision), '') FROM migrate.applied};
my $invalid_sql = q{SELECT count(*) FROM pg_index WHERE NOT indisvalid};

$node->command_ok(pm('upgrade', 'c1'), 'the first revision');

# Start "pg_migrate upgrade" while an old snapshot makes its concurrent
# build wait after it has created its (still invalid) index; return the
# harness once the build waits.
sub start_blocked_upgrade
{
	my ($holder, $out, $err) = @_;
	$holder->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM big;');
	my $h = IPC::Run::start(pm('upgrade'), '>', $out, '2>', $err);
	ok( $node->poll_query_until('app', q{
SELECT count(*) > 0 FROM pg_stat_activity
 WHERE query LIKE 'CREATE INDEX CONCURRENTLY big_id%'
   AND wait_event_type = 'Lock'}),
		'pg_migrate builds the index, waiting for the old snapshot');
	return $h;
}

# 1. The client's session is terminated during the build.
my $holder = $node->background_psql('app');
my ($out, $err) = ('', '');
my $h = start_blocked_upgrade($holder, \$out, \$err);
$node->safe_psql('app', q{
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
 WHERE query LIKE 'CREATE INDEX CONCURRENTLY big_id%'});
$h->finish;
is($? >> 8, 1, 'pg_migrate fails when its session is terminated');
like($err, qr/upgrade of revision "c2" failed at statement 1|connection to the server was lost/,
	'and says where');
$holder->query_safe('COMMIT');
is($node->safe_psql('app', $applied_sql), 'c1', 'the interrupted revision is not recorded');
is($node->safe_psql('app', q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_id'::regclass}),
	'f', 'the interrupted build left an invalid index');
is($node->safe_psql('app', q{SELECT migrate_leftover_index('CREATE INDEX CONCURRENTLY big_id ON big (id)')}),
	'public.big_id', 'migrate_leftover_index finds it');
is($node->safe_psql('app', q{SELECT migrate_leftover_index('CREATE INDEX CONCURRENTLY other ON big (id)') IS NULL}),
	't', 'but not for another name');
is($node->safe_psql('app', q{SELECT migrate_leftover_index('CREATE INDEX big_id ON big (id)') IS NULL}),
	't', 'nor for a build that is not concurrent');

$node->command_checks_all(pm('upgrade'),
	0,
	[qr/upgraded c2.*outside a transaction.*\nupgraded c3.*\nupgraded 2 revisions/],
	[qr/warning: dropped invalid index public\.big_id left by an interrupted build/],
	'running pg_migrate again drops the leftover first, then goes on');
is($node->safe_psql('app', $applied_sql), 'c1 c2 c3', 'every revision applied');
is($node->safe_psql('app', q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_id'::regclass}),
	't', 'the index is valid');
is($node->safe_psql('app', $invalid_sql), '0', 'no invalid index anywhere');

# 2. The server crashes during the build.
$node->command_like(pm('downgrade', 'c1'), qr/downgraded 2 revisions/, 'back to c1');
($out, $err) = ('', '');
$h = start_blocked_upgrade($holder, \$out, \$err);
$node->stop('immediate');
$h->finish;
isnt($? >> 8, 0, 'pg_migrate fails when the server crashes');
eval { $holder->quit; };
$node->start;
is($node->safe_psql('app', $applied_sql), 'c1', 'after the crash the revision is not applied');
is($node->safe_psql('app', $invalid_sql), '1', 'and its build left an invalid index');
$node->command_checks_all(pm('upgrade'),
	0,
	[qr/upgraded c2.*\nupgraded c3.*\nupgraded 2 revisions/],
	[qr/warning: dropped invalid index public\.big_id left by an interrupted build/],
	'after the crash, pg_migrate drops the leftover and goes on');
is($node->safe_psql('app', $applied_sql), 'c1 c2 c3', 'every revision applied');
is($node->safe_psql('app', $invalid_sql), '0', 'no invalid index anywhere');
is( $node->safe_psql('app',
		q{SELECT string_agg(revision || ':' || direction, ' ' ORDER BY id) FROM migrate.log WHERE outcome = 'success'}),
	'c1:upgrade c2:upgrade c3:upgrade c3:downgrade c2:downgrade c2:upgrade c3:upgrade',
	'the log has each run once');

$node->stop;
done_testing();
