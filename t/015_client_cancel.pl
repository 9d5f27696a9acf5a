
# pg_migrate and Ctrl-C: once connected, SIGINT cancels the statement the
# server is running instead of killing the client, so the server stops
# it at once, and the client reports the failure as any other, keeps what
# completed recorded, and exits with status 1.

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

my $node = PostgreSQL::Test::Cluster->new('cancel');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE EXTENSION migrate');

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tempdir/migrations";
mkdir $dir or die;

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

# Start pg_migrate ARGS, wait until the server runs a statement that
# matches $running, send SIGINT; returns exit status, stdout, stderr.
sub interrupt
{
	my ($running, @args) = @_;
	my ($stdout, $stderr) = ('', '');
	my $h = IPC::Run::start(
		[ 'pg_migrate', '-d', $node->connstr('app'), '-D', $dir, @args ],
		'>', \$stdout, '2>', \$stderr);
	$node->poll_query_until('app',
		"SELECT count(*) > 0 FROM pg_stat_activity"
		  . " WHERE state = 'active' AND query LIKE '$running'"
		  . " AND pid <> pg_backend_pid()")
	  or die "the statement did not start";
	$h->signal('INT');
	$h->finish;
	return ($h->result(0), $stdout, $stderr);
}

sub sleepers
{
	return $node->safe_psql('app',
		"SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
		  . " AND query ~ 'pg_sleep|migrate_upgrade' AND pid <> pg_backend_pid()");
}

# a transactional revision: one call of migrate_upgrade, rolled back
revision('001_slow', 'r1', undef, 1,
	"CREATE TABLE a (id int);\nSELECT pg_sleep(30);", 'DROP TABLE a;');
my ($rc, $stdout, $stderr) = interrupt('%migrate_upgrade%', 'upgrade');
is($rc, 1, 'Ctrl-C during a transactional upgrade: exit status 1');
like($stderr, qr/error: could not upgrade to "head": canceling statement due to user request/,
	'the server canceled the statement');
is(sleepers(), '0', 'the server no longer runs it');
is($node->safe_psql('app', 'SELECT count(*) FROM migrate_current()'), '0',
	'nothing is recorded');
is($node->safe_psql('app', "SELECT to_regclass('a') IS NULL"), 't',
	'nothing is left');

# a non-transactional revision after a transactional one: the first stays
# applied, and the statement that ran before the canceled one is reported
unlink "$dir/001_slow.sql";
revision('001_a', 'r1', undef, 1, 'CREATE TABLE a (id int);', 'DROP TABLE a;');
revision('002_slow', 'r2', 'r1', 0,
	"CREATE TABLE b (id int);\nSELECT pg_sleep(30);", 'DROP TABLE b;');
($rc, $stdout, $stderr) = interrupt('SELECT pg_sleep(%', 'upgrade');
is($rc, 1, 'Ctrl-C during a non-transactional revision: exit status 1');
like($stderr,
	qr/error: upgrade of revision "r2" failed at statement 2 \(line \d+\): canceling statement due to user request\n.*detail: The stretch before it committed and is recorded/s,
	'the failure names the statement and what ran before it');
like($stdout, qr/upgraded r1, 001_a .*\nupgraded 1 revision before the failure/,
	'the revision before it is reported as upgraded');
is(sleepers(), '0', 'the server no longer runs the statement');
is($node->safe_psql('app', 'SELECT string_agg(revision, \',\') FROM migrate_current()'),
	'r1', 'the revision before it stays recorded, the canceled one is not');

# the run can go on once the cause is fixed
revision('002_slow', 'r2', 'r1', 0, "CREATE TABLE IF NOT EXISTS b (id int);",
	'DROP TABLE b;');
$node->command_like([ 'pg_migrate', '-d', 'app', '-D', $dir, 'upgrade' ],
	qr/upgraded 1 revision to "head"/, 'the next run upgrades the rest');

$node->stop;
done_testing();
