
# pg_migrate sql TARGET --from REV: the script of an upgrade or downgrade
# built from the folder alone, without a database, is the script that
# migrate_sql prints for a database loaded from the same folder (but the
# checksum, which only the server computes: the offline script reads it
# from migrate.revision where it runs), for upgrades, downgrades, a merge,
# a non-transactional revision with and without COMMIT, quotes, dollar
# quotes and comments holding semicolons; and it runs with psql.

use strict;
use warnings;

use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

$ENV{PGOPTIONS} = "-c client_min_messages=warning";

my $node = PostgreSQL::Test::Cluster->new('offline');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE EXTENSION migrate');

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tempdir/migrations";
mkdir $dir or die;

sub file
{
	my ($name, $text) = @_;
	open my $fh, '>', "$dir/$name" or die;
	print $fh $text;
	close $fh;
}

file('001_a.sql', <<'EOF');
-- migrate:revision a1
-- migrate:message first, with a comment

-- migrate:upgrade
-- a comment before
CREATE TABLE persons (id int PRIMARY KEY, name text DEFAULT 'x;y'); -- trailing
/* block ; comment */ INSERT INTO persons VALUES (1, E'it\'s; here');
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
;;
-- migrate:downgrade
DROP FUNCTION f();
DROP TABLE persons
EOF
file('002_b.sql', <<'EOF');
-- migrate:revision b1
-- migrate:parents a1
-- migrate:branch-labels left
-- migrate:message left branch
-- migrate:upgrade
ALTER TABLE persons ADD COLUMN email text;
-- migrate:downgrade
ALTER TABLE persons DROP COLUMN email;
EOF
file('003_c.sql', <<'EOF');
-- migrate:revision c1
-- migrate:parents a1
-- migrate:message right branch
-- migrate:transactional false
-- migrate:upgrade
CREATE INDEX CONCURRENTLY persons_name_idx ON persons (name);
CREATE TABLE notes (id int, body text DEFAULT $$a;b$$);
-- migrate:downgrade
DROP TABLE notes;
DROP INDEX CONCURRENTLY persons_name_idx;
EOF
file('004_d.sql', <<'EOF');
-- migrate:revision d1
-- migrate:parents b1 c1
-- migrate:message merge
-- migrate:upgrade
-- migrate:downgrade
EOF
file('005_e.sql', <<'EOF');
-- migrate:revision e1
-- migrate:parents d1
-- migrate:transactional false
-- migrate:message stretches
-- migrate:upgrade
BEGIN;
UPDATE persons SET name = upper(name);
UPDATE persons SET name = lower(name);
COMMIT;
VACUUM persons;
-- migrate:downgrade
SELECT 1;
EOF
file('006_f.sql', <<'EOF');
-- migrate:revision f1
-- migrate:parents a1
-- migrate:depends-on c1
-- migrate:message needs c1
-- migrate:upgrade
INSERT INTO notes VALUES (1, 'x');
-- migrate:downgrade
DELETE FROM notes WHERE id = 1;
EOF

# the database has the folder loaded, nothing applied
command_ok([ 'pg_migrate', '-h', $node->host, '-p', $node->port, '-d', 'app', '-D', $dir, 'load' ],
	'the folder loads');

for my $case (
	[ 'heads', 'base' ], [ 'b1', 'base' ], [ 'd1', 'a1' ], [ 'f1', 'b1' ],
	[ 'base', 'e1' ], [ 'a1', 'd1' ], [ 'b1', 'heads' ], [ 'a1', 'a1' ],
	[ 'left', 'base' ])
{
	my ($target, $from) = @$case;
	my ($offline, $err) = ('', '');
	# no connection: a port nobody listens on
	local $ENV{PGPORT} = 1;
	IPC::Run::run([ 'pg_migrate', '-D', $dir, 'sql', $target, '--from', $from ],
		'>', \$offline, '2>', \$err);
	is($?, 0, "sql $target --from $from without a database");
	my $server = $node->safe_psql('app', "SELECT migrate_sql('$target', '$from')");
	$server =~ s/VALUES \('(\w+)', '[0-9a-f]{64}'\)/VALUES ('$1', (SELECT r.checksum FROM migrate.revision r WHERE r.id OPERATOR(pg_catalog.=) '$1'))/g;
	is($offline, $server, "sql $target --from $from is migrate_sql's script");
}

# targets this client cannot resolve offline are refused with a hint
command_fails_like([ 'pg_migrate', '-D', $dir, 'sql', 'head', '--from', 'base' ],
	qr/target "head" is ambiguous: the folder has 2 heads/, 'head with two heads');
command_fails_like([ 'pg_migrate', '-D', $dir, 'sql', '-1', '--from', 'e1' ],
	qr/relative targets need the database/, 'relative targets need the database');

# the script runs with psql on a database that has the revisions loaded
my $script = "$tempdir/upgrade.sql";
command_ok([ 'pg_migrate', '-D', $dir, 'sql', 'heads', '--from', 'base' ],
	'an upgrade script');
{
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'pg_migrate', '-D', $dir, 'sql', 'heads', '--from', 'base' ],
		'>', $script, '2>', \$err);
}
$node->command_ok([ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-d', 'app', '-f', $script ],
	'psql runs the offline script');
is($node->safe_psql('app', "SELECT string_agg(revision, ',' ORDER BY revision) FROM migrate.applied"),
	'a1,b1,c1,d1,e1,f1', 'every revision is applied');
is($node->safe_psql('app',
		"SELECT string_agg(problem, ',') FROM migrate_check() WHERE problem <> 'multiple_heads'"),
	'', 'migrate_check finds nothing but the two heads: the checksums are the stored ones');
is($node->safe_psql('app', "SELECT count(*) FROM notes"), '1', 'the SQL ran');

done_testing();
