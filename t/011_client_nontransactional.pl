
# pg_migrate and non-transactional revisions: CREATE INDEX CONCURRENTLY,
# ALTER TYPE ... ADD VALUE used in the same step, VACUUM.  The client runs
# them at top level, statement by statement, in their place in the plan,
# and records them with migrate_record; the transactional stretches around
# them run with migrate_steps.  A failed CONCURRENTLY build leaves no
# invalid index and records nothing; another runner waits (here: times
# out) while the client holds migrate's session lock.

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

my $node = PostgreSQL::Test::Cluster->new('nontx');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE EXTENSION migrate');

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tempdir/migrations";
mkdir $dir or die;

sub pm
{
	return [ 'pg_migrate', '-d', 'app', '-D', $dir, @_ ];
}

# A revision file, written by hand as a user would.
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

revision('001_items', 'r1', undef, 1,
	"CREATE TABLE items (id int PRIMARY KEY, code text, state text);\n"
	  . "INSERT INTO items SELECT g, 'c' || g, 'new' FROM generate_series(1, 1000) g;",
	'DROP TABLE items;');
revision('002_items_code_idx', 'r2', 'r1', 0,
	"CREATE INDEX CONCURRENTLY items_code_idx ON items (code);\n"
	  . "CREATE INDEX CONCURRENTLY items_state_idx ON items (state);",
	"DROP INDEX CONCURRENTLY items_state_idx;\nDROP INDEX CONCURRENTLY items_code_idx;");
revision('003_status_type', 'r3', 'r2', 1,
	"CREATE TYPE item_status AS ENUM ('new', 'done');",
	'DROP TYPE item_status;');
revision('004_status_value', 'r4', 'r3', 0,
	"ALTER TYPE item_status ADD VALUE 'archived';\n"
	  . "ALTER TABLE items ADD COLUMN status item_status NOT NULL DEFAULT 'archived';\n"
	  . "VACUUM (ANALYZE) items;",
	"ALTER TABLE items DROP COLUMN status;");
revision('005_notes', 'r5', 'r4', 1,
	'CREATE TABLE notes (id int);', 'DROP TABLE notes;');

# migrate_upgrade alone refuses this plan; pg_migrate runs it
$node->command_ok(pm('load'), 'load');
my ($ret, $out, $err) = $node->psql('app', "SELECT * FROM migrate_upgrade('head')");
like($err, qr/revision "r2" is not transactional/, 'migrate_upgrade refuses the plan');

is( $node->safe_psql('app',
		"SELECT string_agg(revision || ':' || transactional || ':' || coalesce(array_length(statements, 1), 0), ',' ORDER BY step) FROM migrate_plan('head')"),
	'r1:true:0,r2:false:2,r3:true:0,r4:false:3,r5:true:0',
	'migrate_plan gives the order, the flags and the statements to run');

my $ms = '\([\d.]+ ms\)';
my $nt = '\([\d.]+ ms, outside a transaction\)';
$node->command_like(pm('upgrade'),
	qr/\Aplan: upgrade to "head", 5 revisions\n  r1, 001_items\n  r2, 002_items_code_idx \(outside a transaction\)\n  r3, 003_status_type\n  r4, 004_status_value \(outside a transaction\)\n  r5, 005_notes\nupgraded r1, 001_items $ms\nupgraded r2, 002_items_code_idx $nt\nupgraded r3, 003_status_type $ms\nupgraded r4, 004_status_value $nt\nupgraded r5, 005_notes $ms\nupgraded 5 revisions to "head" in [\d.]+ ms\n\z/,
	'upgrade runs every revision in its place');
is( $node->safe_psql('app',
		"SELECT string_agg(indexrelid::regclass || ':' || indisvalid, ',' ORDER BY 1) FROM pg_index WHERE indrelid = 'items'::regclass AND NOT indisprimary"),
	'items_code_idx:true,items_state_idx:true',
	'the indexes were built concurrently and are valid');
is($node->safe_psql('app', "SELECT count(*) FROM items WHERE status = 'archived'"),
	'1000', 'the enum value was added and used in the same revision');
is( $node->safe_psql('app',
		"SELECT string_agg(revision || ':' || direction || ':' || stamped || ':' || statements, ',' ORDER BY id) FROM migrate.log"),
	'r1:upgrade:false:2,r2:upgrade:false:2,r3:upgrade:false:1,r4:upgrade:false:3,r5:upgrade:false:1',
	'the log has every revision, the client-run ones with their statements');
# what the client's statements did is logged with each revision, as the
# guard saw it in the client's session: the CONCURRENTLY builds, which
# record no stretch of their own, with the revision's record; the others
# with their stretch
my $effects_sql =
  "SELECT string_agg(revision || ' ' || (e ->> 'action') || ' ' || (e ->> 'type') || ' ' || (e ->> 'object'), ', ' ORDER BY id, n)"
  . " FROM migrate.log, jsonb_array_elements(effects) WITH ORDINALITY AS x(e, n)"
  . " WHERE revision IN ('r2', 'r4') AND direction = ";
is($node->safe_psql('app', "$effects_sql 'upgrade'"),
	'r2 created index public.items_code_idx, r2 created index public.items_state_idx, '
	  . 'r4 altered type public.item_status, r4 altered table public.items',
	'the client-run revisions have their effects');
is($node->safe_psql('app', "SELECT count(*) FROM migrate.progress"),
	'0', 'no progress is left');
is($node->safe_psql('app', 'SELECT migrate_at_head()'), 't', 'at head');
# the client's own statements are migrate's, not drift, and the schema
# fingerprint was stored when it released its session lock
is($node->safe_psql('app', 'SELECT count(*) FROM migrate_drift(true)'),
	'0', 'the DDL guard recorded no drift for the client run');
is($node->safe_psql('app', "SELECT string_agg(problem, ',') FROM migrate_check()"),
	'', 'migrate_check() is clean after the client run');
$node->command_like(pm('upgrade'), qr/nothing to upgrade/, 'nothing more to do');

# downgrade through both non-transactional revisions (the rows of items
# that r4 updated are data: --force lets the column go)
$node->command_like(pm('downgrade', 'r1', '--force'),
	qr/\Aplan: downgrade to "r1", 4 revisions\n(?:  .*\n){4}downgraded r5.*\ndowngraded r4.*outside a transaction.*\ndowngraded r3.*\ndowngraded r2.*outside a transaction.*\ndowngraded 4 revisions/,
	'downgrade runs them children first');
is( $node->safe_psql('app',
		"SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass AND NOT indisprimary"),
	'0', 'the indexes are gone');
is($node->safe_psql('app', "SELECT string_agg(revision, ',') FROM migrate.applied"),
	'r1', 'only r1 is applied');
is($node->safe_psql('app', "$effects_sql 'downgrade'"),
	'r4 dropped table column public.items.status, r4 altered table public.items, '
	  . 'r2 dropped index public.items_state_idx, r2 dropped index public.items_code_idx',
	'and so do their downgrades');
is( $node->safe_psql('app',
		"SELECT effects ->> 'direction' || ' ' || jsonb_array_length(effects -> 'effects') FROM migrate_show('r2')"),
	'downgrade 2', 'migrate_show gives the last run\'s, as for any revision');

# a failed CONCURRENTLY build: no invalid index stays, nothing is recorded
$node->safe_psql('app', "UPDATE items SET code = 'dup' WHERE id <= 2");
revision('002_items_code_idx', 'r2', 'r1', 0,
	"CREATE INDEX CONCURRENTLY items_state_idx ON items (state);\n"
	  . "CREATE UNIQUE INDEX CONCURRENTLY items_code_key ON items (code);",
	"DROP INDEX CONCURRENTLY items_code_key;\nDROP INDEX CONCURRENTLY items_state_idx;");
# line 8 of the file: six lines of header before the upgrade SQL
$node->command_checks_all(pm('upgrade', 'r2'),
	1,
	[qr/\Aplan: upgrade to "r2", 1 revision\n  r2, 002_items_code_idx \(outside a transaction\)\n\z/],
	[   qr/error: upgrade of revision "r2" failed at statement 2 \(line 8\): could not create unique index "items_code_key"/,
		qr/detail: Key \(code\)=\(dup\) is duplicated/,
		qr/The stretch before it committed and is recorded/,
		qr/warning: dropped invalid index "public"."items_code_key"/
	],
	'a failed build is reported, and its invalid index dropped');
is( $node->safe_psql('app',
		"SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass AND NOT indisvalid"),
	'0', 'no invalid index is left');
is($node->safe_psql('app', "SELECT string_agg(revision, ',') FROM migrate.applied"),
	'r1', 'the failed revision is not recorded');
$node->safe_psql('app', "UPDATE items SET code = 'c' || id; DROP INDEX items_state_idx");
$node->command_like(pm('upgrade', 'r2'), qr/upgraded r2/, 'after the fix, it runs');

# migrate_record and migrate_steps check the order of steps
($ret, $out, $err) = $node->psql('app', "SELECT migrate_record('r4', 'upgrade')");
like($err, qr/revision "r4" cannot be applied before its parent "r3"/,
	'migrate_record refuses a revision whose parent is not applied');
($ret, $out, $err) = $node->psql('app', "SELECT migrate_record('r3', 'upgrade')");
like($err, qr/revision "r3" is transactional/, 'migrate_record is for non-transactional revisions');
($ret, $out, $err) = $node->psql('app', "SELECT * FROM migrate_steps('{r4}', 'upgrade')");
like($err, qr/revision "r4" is not transactional/, 'migrate_steps refuses a non-transactional revision');
($ret, $out, $err) = $node->psql('app', "SELECT * FROM migrate_steps('{r5,r3}', 'upgrade')");
like($err, qr/revision "r5" cannot be applied before its parent "r4"/,
	'migrate_steps refuses steps out of order');

# another runner waits for the session lock; with a lock_timeout it gives up
my ($in, $bg_out, $bg_err) = ('', '', '');
my $holder = IPC::Run::start(
	[ 'psql', '-X', '-h', $node->host, '-p', $node->port, '-d', 'app', '-v', 'ON_ERROR_STOP=1', '-f', '-' ],
	'<', \$in, '>', \$bg_out, '2>', \$bg_err);
$in .= "SELECT migrate_lock_session();\nSELECT 'locked';\n";
$holder->pump until $bg_out =~ /locked/;
{
	local $ENV{PGOPTIONS} = "$ENV{PGOPTIONS} -c lock_timeout=200";
	$node->command_fails_like(pm('upgrade'), qr/could not take migrate's lock: canceling statement due to lock timeout/,
		'a second runner waits for the lock (and times out here)');
	($ret, $out, $err) = $node->psql('app', "SELECT * FROM migrate_upgrade('r3')");
	like($err, qr/lock timeout/, 'so does migrate_upgrade');
}
$in .= "SELECT migrate_unlock_session();\n\\q\n";
$holder->finish;
$node->command_like(pm('upgrade'), qr/upgraded 3 revisions/, 'after the unlock it runs');

# a mixed plan that fails in a transactional stretch after a
# non-transactional revision: what ran before stays recorded, the failed
# stretch is rolled back, and the next run resumes there
$node->command_like(pm('downgrade', 'r1', '--force'), qr/downgraded 4 revisions/, 'back to r1');
{
	local $ENV{PGOPTIONS} = "$ENV{PGOPTIONS} -c migrate.debug_fail_at=r5:1";
	$node->command_checks_all(pm('upgrade'),
		1,
		[qr/\Aplan: upgrade to "head", 4 revisions\n(?:  .*\n){4}upgraded r2.*\nupgraded r3.*\nupgraded r4.*\nupgraded 3 revisions before the failure\n\z/],
		[qr/injected failure at statement 1 of revision "r5"/],
		'the last transactional stretch fails');
}
is($node->safe_psql('app', "SELECT string_agg(revision, ',' ORDER BY revision) FROM migrate.applied"),
	'r1,r2,r3,r4', 'the revisions before it stay applied');
is($node->safe_psql('app', "SELECT to_regclass('notes') IS NULL"), 't', 'r5 left nothing');
$node->command_like(pm('upgrade'), qr/\Aplan: upgrade to "head", 1 revision\n  r5, 005_notes\nupgraded r5.*\nupgraded 1 revision to "head"/,
	'the next run resumes with r5');
is($node->safe_psql('app', 'SELECT migrate_at_head()'), 't', 'at head again');

$node->stop;
done_testing();
