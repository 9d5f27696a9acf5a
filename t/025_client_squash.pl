# pg_migrate squash: a history up to a target becomes one root revision
# that replaces it.  A database that applied the old files takes the squash
# as applied and goes on; a new database runs it and ends with the same
# schema; a later file that names a replaced revision as its parent loads
# onto the squash.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

$ENV{PGOPTIONS} = "-c client_min_messages=warning";

my $node = PostgreSQL::Test::Cluster->new('squash');
$node->init;
$node->start;
$node->safe_psql('postgres', "CREATE DATABASE $_") for qw(old fresh);
$node->safe_psql($_, 'CREATE EXTENSION migrate') for qw(old fresh);

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tempdir/migrations";
mkdir $dir or die;

sub pm
{
	my ($db, @args) = @_;
	my ($out, $err) = ('', '');
	my $ok = IPC::Run::run([ 'pg_migrate', '-h', $node->host, '-p', $node->port,
			'-d', $db, '-D', $dir, @args ], '>', \$out, '2>', \$err);
	return ($ok, $out, $err);
}

sub write_file
{
	my ($name, $text) = @_;
	open my $fh, '>', "$dir/$name" or die;
	print $fh $text;
	close $fh;
}

sub dump_schema
{
	my ($db) = @_;
	my $out = `pg_dump -s -N migrate -h @{[ $node->host ]} -p @{[ $node->port ]} $db`;
	die "pg_dump $db failed" if $?;
	$out =~ s/^\\(un)?restrict .*$//mg;
	return $out;
}

# four revisions; the second's last line is a comment (its statement has
# its semicolon before it), the third has a marker
write_file('001_accounts.sql', <<'SQL');
-- migrate:revision r1
-- migrate:message accounts
-- migrate:upgrade
CREATE TABLE accounts (id int PRIMARY KEY);
-- migrate:downgrade
DROP TABLE accounts;
SQL
write_file('002_names.sql', <<'SQL');
-- migrate:revision r2
-- migrate:parents r1
-- migrate:message names
-- migrate:branch-labels core
-- migrate:upgrade
ALTER TABLE accounts ADD COLUMN name text
-- no semicolon above: the end of the section ends the statement
-- migrate:downgrade
ALTER TABLE accounts DROP COLUMN name;
SQL
write_file('003_orders.sql', <<'SQL');
-- migrate:revision r3
-- migrate:parents r2
-- migrate:message orders
-- migrate:upgrade
CREATE TABLE orders (id int PRIMARY KEY, account int REFERENCES accounts);
INSERT INTO accounts VALUES (1, 'seed');
-- migrate:downgrade
DROP TABLE orders;
-- migrate:allow destructive-downgrade-without-export
DELETE FROM accounts WHERE id = 1;
SQL
write_file('004_index.sql', <<'SQL');
-- migrate:revision r4
-- migrate:parents r3
-- migrate:message order index
-- migrate:upgrade
CREATE INDEX orders_account ON orders (account);
-- migrate:downgrade
DROP INDEX orders_account;
SQL

my ($ok, $out, $err) = pm('old', 'upgrade');
ok($ok, 'the old history upgrades') or diag($err);

# squash r1..r3
($ok, $out, $err) = pm('old', 'squash', '-m', 'up to orders', '--id', 'sq1', 'r3');
ok($ok, 'squash succeeds') or diag($err);
like($err, qr/3 revision files squashed into one/, 'squash says how many files it replaced');
opendir(my $dh, $dir) or die;
my @files = sort grep { /\.sql$/ } readdir $dh;
closedir $dh;
is(scalar(@files), 2, 'the folder keeps the squash and the later file');
ok(!-e "$dir/001_accounts.sql" && -e "$dir/004_index.sql", 'the replaced files are gone');
my ($squash) = grep { !/^004/ } @files;
my $text = slurp_file("$dir/$squash");
like($text, qr/^-- migrate:replaces r1 r2 r3$/m, 'the squash names what it replaces');
like($text, qr/^-- migrate:branch-labels core$/m, 'it carries the branch labels');
unlike($text, qr/^-- migrate:parents/m, 'it is a root');
like($text, qr/ADD COLUMN name text\n-- no semicolon above.*\n;\n/, 'a section that ends in a comment gets its semicolon');
like($text, qr/-- migrate:allow destructive-downgrade-without-export\nDELETE FROM accounts/, 'markers stay before their statements');

# the old database takes the squash as applied
($ok, $out, $err) = pm('old', 'upgrade');
ok($ok, 'upgrade after the squash works on the old database') or diag($err);
is($node->safe_psql('old', "SELECT string_agg(revision || ':' || stamped, ' ' ORDER BY revision) FROM migrate.applied"),
	'r4:false sq1:true', 'the old database has the squash stamped and r4 applied');
($ok, $out, $err) = pm('old', 'check');
ok($ok, 'check finds folder and database in agreement') or diag($out . $err);

# a new database runs the squash
($ok, $out, $err) = pm('fresh', 'upgrade');
ok($ok, 'a new database upgrades from the squash') or diag($err);
is(dump_schema('fresh'), dump_schema('old'), 'it gets the schema the old history gave');
is($node->safe_psql('fresh', 'SELECT count(*) FROM accounts'), '1', 'with the seed row');
($ok, $out, $err) = pm('fresh', 'downgrade', 'base', '--force');
ok($ok, 'the squash downgrades to base') or diag($err);
is($node->safe_psql('fresh', "SELECT count(*) FROM pg_class WHERE relname IN ('accounts', 'orders')"), '0',
	'nothing is left');
($ok, $out, $err) = pm('fresh', 'upgrade');
ok($ok, 'and upgrades again') or diag($err);
is(dump_schema('fresh'), dump_schema('old'), 'to the same schema');

# a new file written against the old history (parent r3) loads onto the squash
write_file('005_note.sql', <<'SQL');
-- migrate:revision r5
-- migrate:parents r3
-- migrate:message notes
-- migrate:upgrade
ALTER TABLE orders ADD COLUMN note text;
-- migrate:downgrade
ALTER TABLE orders DROP COLUMN note;
SQL
($ok, $out, $err) = pm('old', 'load');
ok($ok, 'a file naming a replaced parent loads onto the squash') or diag($err);
is($node->safe_psql('old', "SELECT parents FROM migrate_history() WHERE revision = 'r5'"), '{sq1}',
	'its parent is the squash');
($ok, $out, $err) = pm('old', 'heads');
like($out, qr/r4.*\n.*r5|r5.*\n.*r4/, 'the folder sees r5 as a second head');
unlink "$dir/005_note.sql";
($ok, $out, $err) = pm('old', 'forget', 'r5');
ok($ok, 'and it can be forgotten') or diag($err);

# the old files put back next to the squash are skipped
write_file('001_accounts.sql', "-- migrate:revision r1\n-- migrate:upgrade\nCREATE TABLE accounts (id int PRIMARY KEY);\n");
($ok, $out, $err) = pm('old', 'upgrade');
ok($ok, 'a replaced file left in the folder is skipped') or diag($err);
unlink "$dir/001_accounts.sql";

# refused: a non-transactional revision, an unknown target
write_file('006_concurrent.sql', "-- migrate:revision r6\n-- migrate:parents r4\n-- migrate:transactional false\n-- migrate:upgrade\nCREATE INDEX CONCURRENTLY orders_id ON orders (id);\n-- migrate:downgrade\nDROP INDEX CONCURRENTLY orders_id;\n");
($ok, $out, $err) = pm('old', 'squash', '-m', 'all', 'r6');
ok(!$ok, 'a non-transactional revision cannot be squashed');
like($err, qr/revision r6 is not transactional, so it cannot be squashed/, 'and the error says why');
($ok, $out, $err) = pm('old', 'squash', '-m', 'x', 'nosuch');
ok(!$ok && $err =~ /revision "nosuch" is not in/, 'an unknown target is refused');
($ok, $out, $err) = pm('old', 'squash', 'r4');
ok(!$ok && $err =~ /needs a message/, 'squash needs a message');

$node->stop;
done_testing();
