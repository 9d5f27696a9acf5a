
# Privileges with real logins (sql/security.sql covers the rest from one
# superuser session): a deploy role that logs in and SET ROLEs to a group
# role that cannot log in gets a background worker that runs as that
# role; and pg_migrate, which runs a non-transactional revision's
# statements itself in a session holding migrate's lock, still needs the
# statement's approval to change a protected object.

use strict;
use warnings;

use File::Basename qw(dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

$ENV{PGOPTIONS} = "-c client_min_messages=warning";

my $node = PostgreSQL::Test::Cluster->new('roles');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE ROLE deployer LOGIN; CREATE ROLE owners NOLOGIN; GRANT owners TO deployer;');
for my $db ('app', 'client')
{
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql(
		$db, q{
CREATE EXTENSION migrate;
CREATE SCHEMA shop AUTHORIZATION owners;
GRANT EXECUTE ON FUNCTION migrate_revision(text, text, text, text[], text, text[], text[], boolean),
	migrate_upgrade(text), migrate_load_file(text, text), migrate_steps(text[], text),
	migrate_record(text, text, integer, interval), migrate_progress(text, text, integer), migrate_lock_session(),
	migrate_unlock_session() TO owners;
GRANT EXECUTE ON PROCEDURE migrate_apply(text) TO owners;
});
}

# 1. SET ROLE to a role that cannot log in, then CALL migrate_apply: the
# worker runs the CONCURRENTLY build as that role
my ($rc, $out, $err) = $node->psql(
	'app', q{
SET ROLE owners;
SELECT migrate_revision('items', 'CREATE TABLE shop.items (id int, code text)', 'DROP TABLE shop.items', id => 'r1');
SELECT migrate_revision('items code', 'CREATE INDEX CONCURRENTLY items_code ON shop.items (code)',
	'DROP INDEX CONCURRENTLY shop.items_code', id => 'r2', transactional => false);
CALL migrate_apply('head');
},
	extra_params => [ '-U', 'deployer' ]);
is($rc, 0, 'CALL migrate_apply after SET ROLE to a NOLOGIN role succeeds')
  or diag($err);
is( $node->safe_psql(
		'app',
		"SELECT pg_get_userbyid(relowner) || ' ' || (SELECT indisvalid FROM pg_index WHERE indexrelid = c.oid)
		   FROM pg_class c WHERE relname = 'items_code'"),
	'owners true',
	'the worker built the index as the group role');
is( $node->safe_psql(
		'app',
		"SELECT string_agg(revision || ' ' || role || ' ' || outcome, ', ' ORDER BY id) FROM migrate.log"),
	'r1 owners success, r2 owners success',
	'the log names the role');

# 2. pg_migrate: a non-transactional revision that changes a protected
# column needs the approval on its statement
my $protect = "SELECT migrate_protect('shop.items.code', 'written by the catalogue sync')";
my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tempdir/migrations";
mkdir $dir or die;

sub revision_file
{
	my ($name, $text) = @_;
	open my $fh, '>', "$dir/$name.sql" or die;
	print $fh $text;
	close $fh;
}
revision_file('001_items',
	"-- migrate:revision r1\n-- migrate:message items\n\n-- migrate:upgrade\nCREATE TABLE shop.items (id int, code text);\n\n-- migrate:downgrade\nDROP TABLE shop.items;\n"
);
revision_file('002_items_code',
	"-- migrate:revision r2\n-- migrate:parents r1\n-- migrate:transactional false\n-- migrate:message items code\n\n-- migrate:upgrade\nCREATE INDEX CONCURRENTLY items_code ON shop.items (code);\n\n-- migrate:downgrade\nDROP INDEX CONCURRENTLY shop.items_code;\n"
);
revision_file('003_code_type',
	"-- migrate:revision r3\n-- migrate:parents r2\n-- migrate:transactional false\n-- migrate:message code as varchar\n\n-- migrate:upgrade\n-- migrate:allow changing-column-type\nALTER TABLE shop.items ALTER COLUMN code TYPE varchar(20);\n\n-- migrate:downgrade\nALTER TABLE shop.items ALTER COLUMN code TYPE text;\n"
);

my @pm = ('pg_migrate', '-h', $node->host, '-p', $node->port, '-U', 'deployer', '-d', 'client', '-D', $dir);
($rc, $out, $err) = ('', '', '');
my $ok = IPC::Run::run([ @pm, 'upgrade', 'r2' ], '>', \$out, '2>', \$err);
ok($ok, 'pg_migrate: the first revisions run') or diag($err);
$node->safe_psql('client', $protect);
$ok = IPC::Run::run([ @pm, 'upgrade', 'head' ], '>', \$out, '2>', \$err);
ok(!$ok, 'pg_migrate: an unapproved change of a protected column fails');
like($err, qr/shop\.items\.code is protected/, 'pg_migrate: the guard names the protected column');
is( $node->safe_psql('client',
		"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'shop.items'::regclass AND attname = 'code'"),
	'text', 'pg_migrate: the column is unchanged');

revision_file('003_code_type',
	"-- migrate:revision r3\n-- migrate:parents r2\n-- migrate:transactional false\n-- migrate:message code as varchar\n\n-- migrate:upgrade\n-- migrate:allow changing-column-type\n-- migrate:approve protected-object-change the sync writes at most 20 characters\nALTER TABLE shop.items ALTER COLUMN code TYPE varchar(20);\n\n-- migrate:downgrade\nALTER TABLE shop.items ALTER COLUMN code TYPE text;\n"
);
# the hint followed: the loaded revision, not applied, takes the marker
$ok = IPC::Run::run([ @pm, 'upgrade', 'head' ], '>', \$out, '2>', \$err);
ok($ok, 'pg_migrate: the approved change runs') or diag($err);
is( $node->safe_psql('client',
		"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'shop.items'::regclass AND attname = 'code'"),
	'character varying(20)', 'pg_migrate: the column changed');

$node->stop;
done_testing();
