
# pg_migrate's commands for the DDL guard: drift (exit status 3 while a
# record is not acknowledged), drift ack, protect, unprotect; and init on a
# folder that exists.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

$ENV{PGOPTIONS} = "-c client_min_messages=warning";

my $node = PostgreSQL::Test::Cluster->new('guardcli');
$node->init;
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

my ($rc, $out, $err) = pm_run('init');
like($out, qr/created directory/, 'init creates the folder');
($rc, $out, $err) = pm_run('init');
is($rc, 0, 'init again on the empty folder succeeds');
like($out, qr/exists and is empty/, 'and says the folder exists');

open my $fh, '>', "$dir/001_items.sql" or die;
print $fh "-- migrate:revision g1\n-- migrate:message items\n\n-- migrate:upgrade\nCREATE SCHEMA shop;\nCREATE TABLE shop.items (id int, code char(3));\n\n-- migrate:downgrade\nDROP SCHEMA shop CASCADE;\n";
close $fh;
($rc, $out, $err) = pm_run('upgrade');
is($rc, 0, 'upgrade') or diag($err);

($rc, $out, $err) = pm_run('drift');
is($rc, 0, 'no drift: exit status 0');
like($out, qr/no drift recorded/, 'no drift: says so');

$node->safe_psql('app', 'ALTER TABLE shop.items ADD COLUMN note text');
($rc, $out, $err) = pm_run('drift');
is($rc, 3, 'drift not acknowledged: exit status 3');
like($out, qr/ALTER TABLE shop\.items/, 'the record names the command and the object');

($rc, $out, $err) = pm_run('drift', 'ack', '--note', 'added by hand, kept');
is($rc, 0, 'drift ack');
like($out, qr/acknowledged 1 drift record/, 'drift ack says how many');
($rc, $out, $err) = pm_run('drift');
is($rc, 0, 'acknowledged drift: exit status 0');
($rc, $out, $err) = pm_run('drift', '--all');
like($out, qr/acknowledged/, 'drift --all shows the acknowledged record');

($rc, $out, $err) = pm_run('protect', 'shop.items.note', 'written by the catalogue sync');
is($rc, 0, 'protect') or diag($err);
my ($prc, $pout, $perr) = $node->psql('app', 'ALTER TABLE shop.items DROP COLUMN note');
like($perr, qr/shop\.items\.note is protected/, 'the protected column cannot be dropped by hand');
($rc, $out, $err) = pm_run('unprotect', 'shop.items.note');
is($rc, 0, 'unprotect');
is($node->safe_psql('app', 'SELECT count(*) FROM migrate_protected()'), '0', 'nothing is protected any more');

($rc, $out, $err) = pm_run('drift', 'nonsense');
is($rc, 2, 'an unknown drift subcommand is a usage error');

# lint: an escalation needs an approval, so it fails the lint (exit 3);
# --pending leaves out what the database applied
open $fh, '>', "$dir/002_revoke.sql" or die;
print $fh "-- migrate:revision g2\n-- migrate:parents g1\n-- migrate:message revoke\n\n-- migrate:upgrade\nREVOKE SELECT ON shop.items FROM PUBLIC;\n\n-- migrate:downgrade\nGRANT SELECT ON shop.items TO PUBLIC;\n";
close $fh;
($rc, $out, $err) = pm_run('lint', "$dir/002_revoke.sql");
is($rc, 3, 'lint: an escalate finding gives exit status 3');
like($out, qr/escalate: grant-revoke-change/, 'lint names the escalation');
($rc, $out, $err) = pm_run('lint');
like($out, qr/001_items\.sql/, 'lint of the whole folder has findings in the applied revision');
($rc, $out, $err) = pm_run('lint', '--pending');
unlike($out, qr/001_items\.sql/, 'lint --pending leaves out the applied revision');
like($out, qr/002_revoke\.sql/, 'lint --pending lints the pending one');

# another migrator holds migrate's lock: pg_migrate says who, then waits
# (here until its lock_timeout)
my $holder = IPC::Run::start(
	[ 'psql', '-X', '-h', $node->host, '-p', $node->port, '-d', 'app', '-c',
	  'SELECT migrate_lock_session(); SELECT pg_sleep(4)' ],
	'>', \my $hout, '2>', \my $herr);
$node->poll_query_until('app',
	"SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND objid = 1635017984 AND granted")
  or die "the lock was not taken";
{
	local $ENV{PGOPTIONS} = "-c client_min_messages=warning -c lock_timeout=300";
	($rc, $out, $err) = pm_run('upgrade');
}
isnt($rc, 0, 'upgrade while another migrator holds the lock times out');
like($err, qr/waiting for migrate's lock, held by pid \d+/, 'and says who holds the lock');
$holder->finish;

$node->stop;
done_testing();
