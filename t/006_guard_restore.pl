
# pg_dump / pg_restore of a database whose DDL guard is on.
#
# The guard's event triggers belong to the extension, so a restore creates
# them first (with CREATE EXTENSION) and they fire for every restored
# CREATE TABLE, ADD CONSTRAINT and CREATE INDEX, on tables that already
# hold their data.  The guard treats a superuser session with
# check_function_bodies off as a restore: pg_restore and every pg_dump
# script set it first thing.  This test restores, with default settings,
# a database with managed schemas, a large table with a primary key, a
# foreign key and an index, a protected column, drift and a stored
# fingerprint, in custom format (also with -j) and as a plain script, and
# checks that nothing is refused or recorded as drift, that migrate_check()
# finds the restored schemas equal to the fingerprint, and that the guard
# still blocks ad-hoc DDL afterwards.

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

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

my @conn = ('-h', $node->host, '-p', $node->port);

$node->command_ok([ 'createdb', @conn, 'app' ], 'createdb app');
$node->safe_psql(
	'app', q{
CREATE EXTENSION migrate;
SELECT migrate_revision('schema', $$
CREATE SCHEMA shop;
CREATE TABLE shop.customer (id bigint PRIMARY KEY, email text NOT NULL, salary numeric);
CREATE TABLE shop.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES shop.customer, total numeric CHECK (total >= 0));
CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
CREATE VIEW shop.big_orders AS SELECT * FROM shop.orders WHERE total > 100;
$$, id => 'r1');
SELECT * FROM migrate_upgrade('head');
INSERT INTO shop.customer SELECT g, 'c' || g, 1000 FROM generate_series(1, 20000) g;
INSERT INTO shop.orders SELECT g, g, g % 500 FROM generate_series(1, 20000) g;
ANALYZE;
SELECT migrate_protect('shop.customer.salary', 'written by the HR sync');
ALTER TABLE shop.customer ADD COLUMN note text;
});

is($node->safe_psql('app', 'SELECT count(*) FROM migrate_drift()'),
	'1', 'ad-hoc DDL before the dump is recorded');
my ($rc, $out, $err) = $node->psql('app',
	'ALTER TABLE shop.customer RENAME COLUMN email TO mail');
like($err, qr/blocked by safety rule "renaming-column"/,
	'the guard blocks ad-hoc DDL before the dump');

is($node->safe_psql('app', 'SELECT migrate_drift_ack(note => $$reviewed$$)'),
	'2', 'the drift and the blocked statement are acknowledged');
is($node->safe_psql('app', 'SELECT count(*) FROM migrate_check()'),
	'0', 'migrate_check() is clean before the dump');

my $state_sql = q{
SELECT (SELECT string_agg(revision, ',') FROM migrate.applied),
       (SELECT count(*) FROM migrate.drift),
       (SELECT string_agg(object, ',') FROM migrate_protected()),
       (SELECT string_agg(schema_name, ',') FROM migrate_managed_schemas()),
       (SELECT hash FROM migrate.fingerprint),
       (SELECT count(*) FROM shop.orders)};
my $before = $node->safe_psql('app', $state_sql);

my $tmp = PostgreSQL::Test::Utils::tempdir;
$node->command_ok(
	[ 'pg_dump', @conn, '-Fc', '-f', "$tmp/app.dump", 'app' ],
	'pg_dump -Fc');
$node->command_ok([ 'pg_dump', @conn, '-f', "$tmp/app.sql", 'app' ],
	'pg_dump plain');

# restore_ok NAME, COMMAND...: restore into a new database NAME with
# COMMAND, without a single error, then check its state
sub restore_ok
{
	my ($name, @command) = @_;

	$node->command_ok([ 'createdb', @conn, $name ], "createdb $name");
	my ($stdout, $stderr);
	my $ok = IPC::Run::run([ @command, '-d', $name ], '>', \$stdout, '2>', \$stderr);
	ok($ok, "$name: restore succeeds");
	unlike($stderr, qr/ERROR|blocked/, "$name: no error, nothing blocked")
	  or diag($stderr);
	is($node->safe_psql($name, $state_sql), $before,
		"$name: history, drift, protected objects, managed schemas, fingerprint and data restored");
	is($node->safe_psql($name, 'SELECT count(*) FROM migrate_drift()'),
		'0', "$name: the restore itself is no drift");
	is($node->safe_psql($name, "SELECT string_agg(problem, ',') FROM migrate_check()"),
		'', "$name: migrate_check() is clean: the schemas match the fingerprint");
	my ($rc, $out, $err) = $node->psql($name,
		'ALTER TABLE shop.customer RENAME COLUMN email TO mail');
	like($err, qr/blocked by safety rule "renaming-column"/,
		"$name: the guard still blocks ad-hoc DDL");
	($rc, $out, $err) = $node->psql($name,
		'ALTER TABLE shop.customer ALTER COLUMN salary SET DEFAULT 0');
	like($err, qr/shop\.customer\.salary is protected/,
		"$name: the protected column is still protected");
}

restore_ok('restored_custom', 'pg_restore', @conn, "$tmp/app.dump");
restore_ok('restored_jobs', 'pg_restore', @conn, '-j', '4', "$tmp/app.dump");
restore_ok('restored_plain', 'psql', @conn, '-X', '-q', '-v', 'ON_ERROR_STOP=1',
	'-f', "$tmp/app.sql");

# an ordinary session with check_function_bodies off is no restore
$node->safe_psql('app', 'CREATE ROLE app_owner LOGIN; GRANT USAGE ON SCHEMA shop TO app_owner; ALTER TABLE shop.customer OWNER TO app_owner;');
($rc, $out, $err) = $node->psql('app',
	'SET check_function_bodies = off; ALTER TABLE shop.customer RENAME COLUMN email TO mail',
	extra_params => [ '-U', 'app_owner' ]);
like($err, qr/blocked by safety rule "renaming-column"/,
	'check_function_bodies off exempts superusers only');

$node->stop;
done_testing();
