# pg_migrate upgrade and downgrade print their plan first, and --dry-run
# prints the plan and what would stop it, changing nothing (the load is
# rolled back too).  A downgrade that would drop rows the application
# wrote is refused, naming each table and its rows, until --force; rows
# that migrations inserted lose nothing.

use strict;
use warnings;

use File::Basename qw(dirname);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

$ENV{PGOPTIONS} = "-c client_min_messages=warning";

if (!$ENV{PG_REGRESS})
{
	my $pgxs = `pg_config --pgxs`;
	chomp $pgxs;
	$ENV{PG_REGRESS} = dirname($pgxs) . '/../test/regress/pg_regress';
}

my $node = PostgreSQL::Test::Cluster->new('downgrade');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE EXTENSION migrate');

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tempdir/migrations";
mkdir $dir or die;

sub run_pm
{
	my ($out, $err) = ('', '');
	local %ENV = %ENV;
	$ENV{PGHOST} = $node->host;
	$ENV{PGPORT} = $node->port;
	IPC::Run::run([ 'pg_migrate', '-d', 'app', '-D', $dir, @_ ],
		'>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

sub revision
{
	my ($name, $id, $parent, $up, $down) = @_;
	open my $fh, '>', "$dir/$name.sql" or die;
	print $fh "-- migrate:revision $id\n";
	print $fh "-- migrate:parents $parent\n" if $parent;
	print $fh "-- migrate:message $name\n\n-- migrate:upgrade\n$up\n\n-- migrate:downgrade\n$down\n";
	close $fh;
}

revision('001_kinds', 'k1', undef,
	"CREATE TABLE kinds (id int PRIMARY KEY, name text);\n"
	  . "INSERT INTO kinds VALUES (1, 'retail'), (2, 'wholesale');",
	'DROP TABLE kinds;');
revision('002_orders', 'k2', 'k1',
	"CREATE TABLE orders (id int PRIMARY KEY, kind int REFERENCES kinds);",
	'DROP TABLE orders;');

# a dry run on an empty database: the plan, nothing stops it, nothing
# changes, not even the load
my ($rc, $out, $err) = run_pm('upgrade', '--dry-run');
is($rc, 0, 'upgrade --dry-run: exit status 0');
like($out,
	qr/\Aplan: upgrade to "head", 2 revisions\n  k1, 001_kinds\n  k2, 002_orders\ndry run: nothing would stop it, nothing changed\n\z/,
	'upgrade --dry-run prints the plan');
is($node->safe_psql('app', 'SELECT count(*) FROM migrate.revision'), '0',
	'upgrade --dry-run loads nothing');
is($node->safe_psql('app', "SELECT to_regclass('kinds') IS NULL"), 't',
	'upgrade --dry-run runs nothing');

# the plan comes before the progress lines
($rc, $out, $err) = run_pm('upgrade');
is($rc, 0, 'upgrade');
like($out,
	qr/\Aplan: upgrade to "head", 2 revisions\n  k1, 001_kinds\n  k2, 002_orders\nupgraded k1, 001_kinds \([\d.]+ ms\)\nupgraded k2, 002_orders \([\d.]+ ms\)\nupgraded 2 revisions to "head"/,
	'upgrade prints the plan, then each revision');

# the seed rows of kinds are the history's own: a round trip is quiet
($rc, $out, $err) = run_pm('downgrade', 'base');
is($rc, 0, 'downgrade to base with seed data only');
like($out, qr/\Aplan: downgrade to "base", 2 revisions\n  k2, 002_orders\n  k1, 001_kinds\ndowngraded k2/,
	'downgrade prints the plan, children first');
($rc, $out, $err) = run_pm('upgrade');
is($rc, 0, 'upgrade again');

# the application's rows: refused, each table named with its rows
$node->safe_psql('app',
	'INSERT INTO orders SELECT g, 1 FROM generate_series(1, 20) g');
($rc, $out, $err) = run_pm('downgrade', 'base', '--dry-run');
is($rc, 3, 'downgrade --dry-run with data to lose: exit status 3');
like($out,
	qr/^would stop: revision k2, statement 1 \(line \d+\): error: destructive-downgrade-without-export: the downgrade drops table "orders" \(20 rows\)/m,
	'the dry run names the table and its rows');
unlike($out, qr/table "kinds"/, 'seed rows are not counted as a loss')
  or diag($out);
like($out, qr/^dry run: 1 finding would stop it, nothing changed$/m,
	'the dry run says it changed nothing');

($rc, $out, $err) = run_pm('downgrade', 'base');
is($rc, 1, 'downgrade that would drop data: exit status 1');
like($err, qr/error: downgrade would drop data in 1 place\n.*Revision "k2", statement 1 \(line \d+\): the downgrade drops table "orders" \(20 rows\)/s,
	'the refusal names the table and its rows');
like($err, qr/--force/, 'the hint names --force');
is($node->safe_psql('app', 'SELECT count(*) FROM orders'), '20',
	'nothing was dropped');
is($node->safe_psql('app', "SELECT string_agg(revision, ',') FROM migrate_current()"),
	'k2', 'nothing was downgraded');

# the JSON of a dry run
($rc, $out, $err) = run_pm('--json', 'downgrade', 'base', '--dry-run');
my $j = decode_json($out);
is_deeply($j->{plan}, [ 'k2', 'k1' ], '--json dry run: the plan');
is($j->{dry_run}, JSON::PP::true, '--json dry run: dry_run');
is($j->{findings}[0]{rule}, 'destructive-downgrade-without-export',
	'--json dry run: the finding');

# --force lets the data go; the consent is logged
($rc, $out, $err) = run_pm('downgrade', 'k1', '--force');
is($rc, 0, 'downgrade --force') or diag($err);
like($out, qr/^downgraded k2, 002_orders/m, 'downgrade --force ran');
is($node->safe_psql('app',
		"SELECT a->>'marker' FROM migrate.log, jsonb_array_elements(allowances) a WHERE revision = 'k2' AND direction = 'downgrade'"),
	'drop_data', 'the consent is in the log');

# what the application wrote into a seeded table is its data too
$node->safe_psql('app', "INSERT INTO kinds VALUES (3, 'by hand')");
($rc, $out, $err) = run_pm('downgrade', 'base');
is($rc, 1, 'a seeded table with an application row is refused');
like($err, qr/the downgrade drops table "kinds" \(3 rows\)/,
	'all its rows are counted');

# upgrade --dry-run reports what would stop the upgrade
($rc, $out, $err) = run_pm('upgrade');
is($rc, 0, 'upgrade to head again');
$node->safe_psql('app',
	'INSERT INTO orders SELECT g, 1 FROM generate_series(1, 5) g');
revision('003_total', 'k3', 'k2',
	'ALTER TABLE orders ADD COLUMN total int NOT NULL;',
	'ALTER TABLE orders DROP COLUMN total;');
($rc, $out, $err) = run_pm('upgrade', '--dry-run');
is($rc, 3, 'upgrade --dry-run with a blocking finding: exit status 3');
like($out, qr/^would stop: revision k3, statement 1 \(line \d+\): error: adding-required-column: /m,
	'upgrade --dry-run names the finding');
is($node->safe_psql('app', "SELECT count(*) FROM migrate.revision WHERE id = 'k3'"),
	'0', 'the dry run loaded nothing');

# usage
($rc, $out, $err) = run_pm('upgrade', '--force');
is($rc, 2, 'upgrade --force is a usage error');
like($err, qr/unrecognized option "--force" for command "upgrade"/,
	'upgrade --force: the error');

done_testing();
