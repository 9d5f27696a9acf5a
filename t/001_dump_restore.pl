
# pg_dump / pg_restore round trip of migrate's catalog.
#
# The revision graph, the applied set, the log and both sequences are
# extension configuration tables (pg_extension_config_dump), so a dump of a
# database carries them.  This test builds a graph with a branch, a branch
# label, a depends_on edge and a merge, moves the database through an
# upgrade, a downgrade and a stamp, then checks that a custom-format dump
# restored with pg_restore, and a plain dump replayed with psql, give a
# database in exactly the same state, that can go on: migrate_upgrade
# applies exactly the remaining revisions, and a revision registered after
# the restore orders after the old ones.

use strict;
use warnings;

use File::Basename qw(dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# PostgreSQL::Test::Cluster::init runs "pg_regress --config-auth"; outside
# the PostgreSQL source tree, find pg_regress next to PGXS.
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
$node->safe_psql('app', 'CREATE EXTENSION migrate');

# The graph:
#
#   a <- b <- c (label "feature") ------------ m (merge) <- f
#         \                                  /
#          d <- e (depends_on c) ------------
$node->safe_psql(
	'app', q{
SELECT migrate_revision('create t_a', 'CREATE TABLE t_a (id int)',
                        'DROP TABLE t_a', parents => '{}', id => 'a');
SELECT migrate_revision('create t_b', 'CREATE TABLE t_b (id int)',
                        'DROP TABLE t_b', id => 'b');
SELECT migrate_revision('create t_c', 'CREATE TABLE t_c (id int)',
                        'DROP TABLE t_c', id => 'c',
                        branch_labels => '{feature}');
SELECT migrate_revision('create t_d', 'CREATE TABLE t_d (id int)',
                        'DROP TABLE t_d', parents => '{b}', id => 'd');
SELECT migrate_revision('create t_e', 'CREATE TABLE t_e (id int)',
                        'DROP TABLE t_e', parents => '{d}', id => 'e',
                        depends_on => '{c}');
SELECT migrate_merge('{c,e}', 'merge', id => 'm');
SELECT migrate_revision('create t_f', 'CREATE TABLE t_f (id int)',
                        'DROP TABLE t_f', id => 'f');
});

# Upgrade part way: e needs d (parent) and c (depends_on).
is( $node->safe_psql('app',
		"SELECT string_agg(revision, ',' ORDER BY step) FROM migrate_upgrade('e')"),
	'a,b,c,d,e',
	'upgrade to e applies a, b, c, d, e');

# Downgrade one.
is( $node->safe_psql('app',
		"SELECT string_agg(revision, ',' ORDER BY step) FROM migrate_downgrade('d')"),
	'e',
	'downgrade to d unapplies e');

# Stamp one: e's table is created by hand, then e is recorded as applied.
$node->safe_psql('app', 'CREATE TABLE t_e (id int)');
is( $node->safe_psql('app',
		"SELECT string_agg(revision || ':' || action, ',') FROM migrate_stamp('e')"),
	'e:stamped',
	'stamp e records e without running it');

is( $node->safe_psql('app',
		"SELECT string_agg(direction || '/' || stamped, ',' ORDER BY id) FROM migrate.log"),
	'upgrade/false,upgrade/false,upgrade/false,upgrade/false,upgrade/false,'
	  . 'downgrade/false,upgrade/true',
	'the log holds upgrades, a downgrade and a stamp');

# Everything that must survive a dump, by name.  Timestamps, xids and
# durations included: the restored rows must be the same rows.
my %queries = (
	history   => 'SELECT * FROM migrate_history()',
	current   => 'SELECT * FROM migrate_current()',
	heads     => 'SELECT * FROM migrate_heads()',
	branches  => 'SELECT * FROM migrate_branches()',
	check     => 'SELECT * FROM migrate_check()',
	at_head   => 'SELECT migrate_at_head()',
	plan      => "SELECT migrate_sql('heads')",
	revision  => 'SELECT * FROM migrate.revision ORDER BY seq',
	parent    => 'SELECT * FROM migrate.parent ORDER BY revision, position',
	dependency =>
	  'SELECT * FROM migrate.dependency ORDER BY revision, position',
	applied => 'SELECT * FROM migrate.applied ORDER BY revision',
	log     => 'SELECT * FROM migrate.log ORDER BY id',
	revision_seq =>
	  'SELECT last_value, is_called FROM migrate.revision_seq',
	log_seq => 'SELECT last_value, is_called FROM migrate.log_seq',
	tables  => "SELECT string_agg(relname, ',' ORDER BY relname)"
	  . " FROM pg_class WHERE relname LIKE 't\\_%' AND relkind = 'r'",);

sub capture
{
	my ($db) = @_;
	my %out;
	$out{$_} = $node->safe_psql($db, $queries{$_}) for keys %queries;
	return \%out;
}

my $before = capture('app');

# A sanity check of the capture itself, so that equal-but-empty cannot pass.
isnt($before->{$_}, '', "$_ is not empty before the dump") for sort keys %queries;
is($before->{tables}, 't_a,t_b,t_c,t_d,t_e', 'tables before the dump');
is( $node->safe_psql('app',
		q{SELECT string_agg(revision || ':' || stamped, ',' ORDER BY revision)
		  FROM migrate.applied}),
	'a:false,b:false,c:false,d:false,e:true',
	'applied set before the dump');
like($before->{history}, qr/^f\|/, 'history before the dump starts at f');

# After a restore: the state must be identical, and the database must be
# able to go on.
sub check_restored
{
	my ($db, $how) = @_;
	my $after = capture($db);

	for my $name (sort keys %queries)
	{
		is($after->{$name}, $before->{$name},
			"$how: $name is the same as before the dump");
	}

	# The remaining revisions, and only those, are applied.
	is( $node->safe_psql($db,
			"SELECT string_agg(revision, ',' ORDER BY step) FROM migrate_upgrade('heads')"
		),
		'm,f',
		"$how: upgrade to heads applies exactly m and f");
	is( $node->safe_psql($db, 'SELECT migrate_at_head()'),
		't', "$how: at head after the upgrade");
	is( $node->safe_psql($db,
			"SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class"
			  . " WHERE relname LIKE 't\\_%' AND relkind = 'r'"),
		't_a,t_b,t_c,t_d,t_e,t_f',
		"$how: tables after the upgrade");

	# The log goes on after the restored rows.
	is( $node->safe_psql($db,
			"SELECT string_agg(id || ':' || revision, ',' ORDER BY id)"
			  . " FROM migrate.log WHERE id > 7"),
		'8:m,9:f',
		"$how: new log rows are numbered after the restored ones");

	# The revision sequence survived: a new revision orders after the old.
	is( $node->safe_psql($db,
			"SELECT migrate_revision('create t_g', 'CREATE TABLE t_g (id int)',"
			  . " 'DROP TABLE t_g', id => 'g')"),
		'g',
		"$how: a revision can be registered after the restore");
	is( $node->safe_psql($db,
			"SELECT (SELECT seq FROM migrate.revision WHERE id = 'g')"
			  . " > (SELECT max(seq) FROM migrate.revision WHERE id <> 'g')"),
		't',
		"$how: the new revision's seq is above every restored revision's");
	is( $node->safe_psql($db,
			"SELECT string_agg(revision, ',') FROM migrate_history()"),
		'g,f,m,e,d,c,b,a',
		"$how: history lists the new revision first");
	is( $node->safe_psql($db,
			"SELECT string_agg(revision, ',' ORDER BY step) FROM migrate_upgrade('head')"
		),
		'g',
		"$how: upgrade to head applies only the new revision");
	is( $node->safe_psql($db,
			"SELECT string_agg(revision, ',' ORDER BY revision) FROM migrate_current()"
		),
		'g',
		"$how: current is g");
}

# Custom format, restored by pg_restore with its default settings.
my $tempdir  = PostgreSQL::Test::Utils::tempdir;
my $dumpfile = "$tempdir/app.dump";

$node->command_ok([ 'pg_dump', @conn, '-Fc', '-f', $dumpfile, 'app' ],
	'pg_dump -Fc');
$node->command_ok([ 'createdb', @conn, 'restored' ], 'createdb restored');

my ($out, $err) = ('', '');
my $ok = IPC::Run::run([ 'pg_restore', @conn, '-d', 'restored', $dumpfile ],
	'>', \$out, '2>', \$err);
ok($ok, 'pg_restore exits with status 0');
is($err, '', 'pg_restore writes nothing on stderr');

check_restored('restored', 'pg_restore');

# Plain format, replayed by psql, stopping at the first error.
$node->command_ok([ 'createdb', @conn, 'plain' ], 'createdb plain');
my ($dump_err, $psql_out, $psql_err) = ('', '', '');
$ok = IPC::Run::run(
	[ 'pg_dump', @conn, '-Fp', 'app' ],
	'2>', \$dump_err, '|',
	[ 'psql', @conn, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'plain' ],
	'>', \$psql_out, '2>', \$psql_err);
ok($ok, 'pg_dump -Fp | psql exits with status 0');
is($dump_err, '', 'pg_dump -Fp writes nothing on stderr');
is($psql_err, '', 'psql replaying the plain dump writes nothing on stderr');

check_restored('plain', 'plain dump');

# Parallel restore.  The archive does not order the data of extension
# tables, so pg_restore -j loads them all at once; the catalog has no
# foreign keys between its tables for that reason, and nothing is lost.
$node->command_ok([ 'createdb', @conn, 'parallel' ], 'createdb parallel');
($out, $err) = ('', '');
$ok = IPC::Run::run(
	[ 'pg_restore', @conn, '-j', '4', '-d', 'parallel', $dumpfile ],
	'>', \$out, '2>', \$err);
ok($ok, 'pg_restore -j 4 exits with status 0');
is($err, '', 'pg_restore -j 4 writes nothing on stderr');
for my $name (qw(parent dependency applied))
{
	is($node->safe_psql('parallel', $queries{$name}),
		$before->{$name},
		"pg_restore -j 4: $name is the same as before the dump");
}

# The original database was left alone by all this.
is_deeply(capture('app'), $before, 'the dumped database is unchanged');

$node->stop;
done_testing();
