
# pg_migrate revision --autogenerate and check --schema: the revision files
# that take the database to a desired schema file or folder (migrate_diff),
# written on the folder's head (a non-transactional one for the
# validations and the indexes built concurrently), applied by upgrade;
# check --schema exits 3 while the database and the schema differ.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

$ENV{PGOPTIONS} = "-c client_min_messages=warning";

my $node = PostgreSQL::Test::Cluster->new('autogen');
$node->init;
$node->append_conf('postgresql.conf', "migrate.lint_table_threshold = 1");
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE EXTENSION migrate');

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tempdir/migrations";
my @pm = ('pg_migrate', '-h', $node->host, '-p', $node->port, '-d', 'app', '-D', $dir);

sub pm_run
{
	my ($out, $err) = ('', '');
	IPC::Run::run([ @pm, @_ ], '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

sub write_file_text
{
	my ($path, $text) = @_;
	open my $fh, '>', $path or die "$path: $!";
	print $fh $text;
	close $fh;
}

my ($rc, $out, $err) = pm_run('init');
is($rc, 0, 'init');
write_file_text("$dir/001_shop.sql",
	"-- migrate:revision s1\n-- migrate:message shop\n\n-- migrate:upgrade\n"
	  . "CREATE SCHEMA shop;\nCREATE TABLE shop.items (id integer PRIMARY KEY, name text);\n"
	  . "CREATE TYPE shop.state AS ENUM ('new', 'done');\n\n"
	  . "-- migrate:downgrade\nDROP TABLE shop.items;\nDROP TYPE shop.state;\nDROP SCHEMA shop;\n");
($rc, $out, $err) = pm_run('upgrade');
is($rc, 0, 'upgrade to the first revision') or diag($err);
$node->safe_psql('app', "INSERT INTO shop.items SELECT g, 'item ' || g FROM generate_series(1, 50) g");

# the desired schema: a folder of .sql files, read in name order
my $schema = "$tempdir/schema";
mkdir $schema or die;
write_file_text("$schema/01_types.sql",
	"CREATE SCHEMA shop;\nCREATE TYPE shop.state AS ENUM ('new', 'paid', 'done');\n");
write_file_text("$schema/02_items.sql",
	"CREATE TABLE shop.items (id integer PRIMARY KEY, name text,\n"
	  . "  price numeric NOT NULL DEFAULT 0, state shop.state DEFAULT 'new');\n"
	  . "CREATE INDEX items_name_idx ON shop.items (name);\n"
	  . "CREATE TABLE shop.tags (item_id integer NOT NULL CONSTRAINT tags_item_fk REFERENCES shop.items, tag text NOT NULL);\n");

my $before = $node->safe_psql('app', 'SELECT migrate_fingerprint()');
($rc, $out, $err) = pm_run('check', '--schema', $schema);
is($rc, 3, 'check --schema: exit status 3 when the database differs') or diag($err);
like($out, qr/main column shop\.items\.price: ALTER TABLE shop\.items ADD COLUMN price numeric DEFAULT 0/,
	'check --schema prints each difference');
like($out, qr/online index shop\.items_name_idx: CREATE INDEX CONCURRENTLY/,
	'the index is built concurrently');
like($out, qr/differences between the database and the desired schema/, 'and counts them');

($rc, $out, $err) = pm_run('revision', '--autogenerate', '-m', 'prices and tags', '--schema', $schema);
is($rc, 0, 'revision --autogenerate') or diag($err);
my @lines = split /\n/, $out;
is(scalar @lines, 3, 'three files: enum values, the main change, the online one') or diag($out);
like($lines[0], qr/\(enum, 1 change\)/, 'first the enum value');
like($lines[1], qr/\(main, \d+ changes\)/, 'then the main change');
like($lines[2], qr/\(online, \d+ changes, non-transactional\)/, 'then a non-transactional revision');

my @files = sort glob("$dir/*.sql");
is(scalar @files, 4, 'the folder has the three new files');
my $online = slurp_file($files[3]);
like($online, qr/-- migrate:transactional false/, 'the online file is non-transactional');
like($online, qr/CREATE INDEX CONCURRENTLY IF NOT EXISTS items_name_idx/, 'it builds the index');
like($online, qr/VALIDATE CONSTRAINT items_price_not_null/, 'it validates the NOT NULL check');
my $main = slurp_file($files[2]);
like($main, qr/-- migrate:parents \S+/, 'the main file has a parent');
like(slurp_file($files[1]), qr/-- migrate:parents s1/, 'the first new file is on the folder\'s head');
like($main, qr/ADD COLUMN price numeric DEFAULT 0/, 'the column is added nullable with its default');
like($main, qr/ALTER TABLE shop\.items DROP COLUMN price/, 'the downgrade drops it');

($rc, $out, $err) = pm_run('lint');
is($rc, 0, 'the generated files pass the linter at its default level') or diag($out . $err);

($rc, $out, $err) = pm_run('upgrade');
is($rc, 0, 'upgrade runs the generated revisions') or diag($out . $err);
($rc, $out, $err) = pm_run('check', '--schema', $schema);
is($rc, 0, 'check --schema: exit status 0 once the database matches') or diag($out . $err);
like($out, qr/matches the desired schema/, 'and says so');

# pg_dump -s output is a desired schema too: the database's own dump matches it
IPC::Run::run([ 'pg_dump', '-s', '-h', $node->host, '-p', $node->port, '-d', 'app',
	'-f', "$tempdir/dump.sql" ]) or die 'pg_dump failed';
($rc, $out, $err) = pm_run('check', '--schema', "$tempdir/dump.sql");
is($rc, 0, 'check --schema against the database\'s own pg_dump -s: no difference') or diag($out . $err);

($rc, $out, $err) = pm_run('downgrade', 's1');
is($rc, 1, 'the downgrade refuses to drop the columns that hold data');
($rc, $out, $err) = pm_run('downgrade', 's1', '--force');
is($rc, 0, 'downgrade --force to the first revision') or diag($out . $err);
is($node->safe_psql('app', 'SELECT migrate_fingerprint()'), $before,
	'the downgrade restores the schema fingerprint');
is($node->safe_psql('app', 'SELECT count(*) FROM shop.items'), '50', 'and the rows');

($rc, $out, $err) = pm_run('revision', '--autogenerate', '-m', 'x');
is($rc, 2, 'revision --autogenerate without --schema is a usage error');
($rc, $out, $err) = pm_run('check', '--schema', "$tempdir/nonexistent.sql");
is($rc, 1, 'a desired schema that cannot be read fails');

done_testing();
