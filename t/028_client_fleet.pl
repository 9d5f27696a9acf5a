
# pg_migrate on a fleet of databases: fourteen databases on two clusters
# (and one on a third without two-phase commit).  Repeated -d,
# --dbs-file, --dbs-query, -j 4; a database that refuses (a revision
# conflicts with a table there) and one that cannot be reached (a bad
# port); --continue-on-error and its summary (text and --json); a canary
# group that stops the rollout; a rerun that runs only where the target
# is not applied; --atomic that commits everywhere, or nowhere when one
# database fails; a client killed between PREPARE and COMMIT, the
# prepared transactions migrate_check reports, and fleet recover
# committing (all members prepared) or rolling back (one member missing).

use strict;
use warnings;

use File::Basename qw(dirname);
use IPC::Run;
use JSON::PP;
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

my @nodes;
for my $i (1, 2)
{
	my $node = PostgreSQL::Test::Cluster->new("fleet$i");
	$node->init;
	$node->append_conf('postgresql.conf', "max_prepared_transactions = 20");
	$node->start;
	push @nodes, $node;
}
my $plain = PostgreSQL::Test::Cluster->new('fleet_no2pc');
$plain->init;
$plain->start;

# f01..f08 on the first cluster, f09..f14 on the second
my (%node_of, @dbs);
for my $k (1 .. 14)
{
	my $db = sprintf('f%02d', $k);
	my $node = $k <= 8 ? $nodes[0] : $nodes[1];
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION migrate');
	$node_of{$db} = $node;
	push @dbs, $db;
}
$plain->safe_psql('postgres', 'CREATE DATABASE p01');
$plain->safe_psql('p01', 'CREATE EXTENSION migrate');

# conflicting tables: f05 has c3 (revision r3 creates it), f07 has c6
$node_of{f05}->safe_psql('f05', 'CREATE TABLE c3 (x int)');
$node_of{f07}->safe_psql('f07', 'CREATE TABLE c6 (x int)');

sub conninfo
{
	my ($db) = @_;
	my $node = $node_of{$db};
	return "host=" . $node->host . " port=" . $node->port . " dbname=$db";
}
my $bad = "host=" . $nodes[0]->host . " port=1 dbname=nowhere connect_timeout=2";

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tempdir/migrations";
mkdir $dir or die;

# A revision file, written by hand as a user would.
sub revision
{
	my ($name, $id, $parent, $up, $down, $transactional) = @_;
	open my $fh, '>', "$dir/$name.sql" or die;
	print $fh "-- migrate:revision $id\n";
	print $fh "-- migrate:parents $parent\n" if $parent;
	print $fh "-- migrate:transactional false\n" if defined $transactional && !$transactional;
	print $fh "-- migrate:message $name\n\n-- migrate:upgrade\n$up\n\n-- migrate:downgrade\n$down\n";
	close $fh;
}

sub write_list
{
	my ($name, @lines) = @_;
	my $path = "$tempdir/$name";
	open my $fh, '>', $path or die;
	print $fh "$_\n" for @lines;
	close $fh;
	return $path;
}

# Exit status, stdout and stderr of a pg_migrate run.
sub run_pm
{
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'pg_migrate', '-D', $dir, @_ ], '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err, $?);
}

# The current revisions of a database, comma-separated.
sub current
{
	my ($db) = @_;
	return $node_of{$db}->safe_psql($db,
		"SELECT coalesce(string_agg(revision, ',' ORDER BY revision), 'base') FROM migrate_current()");
}

# The summary rows of a --json run, by database name.
sub rows_of
{
	my ($out) = @_;
	my $doc = decode_json($out);
	my %rows;
	for my $r (@{ $doc->{databases} })
	{
		my ($db) = $r->{database} =~ /dbname=(\S+)/;
		$rows{ $db // $r->{database} } = $r;
	}
	return ($doc, \%rows);
}

sub prepared_count
{
	my $n = 0;
	$n += $_->safe_psql('postgres', 'SELECT count(*) FROM pg_prepared_xacts') for @nodes;
	return $n;
}

revision('001_one', 'r1', undef, 'CREATE TABLE t1 (x int);', 'DROP TABLE t1;');
revision('002_two', 'r2', 'r1', 'CREATE TABLE t2 (x int);', 'DROP TABLE t2;');
revision('003_three', 'r3', 'r2', 'CREATE TABLE c3 (x int);', 'DROP TABLE c3;');

# the options are for fleet commands only, and checked before connecting
my ($rc, $out, $err) = run_pm('-d', conninfo('f01'), 'history', '-j', '2');
is($rc, 2, 'fleet option with another command: usage error');
like($err, qr/command "history" does not run on a fleet/, 'says so');
($rc, $out, $err) = run_pm('-d', conninfo('f01'), 'upgrade', '--atomic', '--canary', '1');
is($rc, 2, '--atomic with --canary: usage error');
($rc, $out, $err) = run_pm('-d', conninfo('f01'), 'upgrade', '-j', '0');
is($rc, 2, '-j 0: usage error');

# repeated -d: two databases to r2
($rc, $out, $err) = run_pm('-d', conninfo('f01'), '-d', conninfo('f02'), 'upgrade', 'r2');
is($rc, 0, 'repeated -d: upgrade succeeds') or diag($err);
like($out, qr/^database +\| status +\| from +\| to +\| revisions +\| time +\| error$/m, 'summary table header');
like($out, qr/dbname=f01 \| done +\| base +\| r2 +\| 2 /, 'f01: from base to r2, 2 revisions');
is(current('f01') . ' ' . current('f02') . ' ' . current('f03'), 'r2 r2 base',
	'the two databases moved, no other');

# --dbs-file with the whole fleet and an unreachable database, -j 4,
# --continue-on-error, --json
my $all_file = write_list('all.txt', '# the fleet', (map { conninfo($_) } @dbs), '', $bad);
($rc, $out, $err) = run_pm('upgrade', '--dbs-file', $all_file, '-j', '4',
	'--continue-on-error', '--json');
is($rc, 1, 'a failed database makes the exit status 1');
my ($doc, $rows) = rows_of($out);
is(scalar @{ $doc->{databases} }, 15, 'one row per database of the file (comments and blank lines skipped)');
is($rows->{f01}{status}, 'done', 'f01 done');
is_deeply([ $rows->{f01}{from}, $rows->{f01}{to}, $rows->{f01}{revisions} ],
	[ ['r2'], ['r3'], 1 ], 'f01: from r2 to r3, 1 revision');
is_deeply([ $rows->{f03}{from}, $rows->{f03}{to}, $rows->{f03}{revisions} ],
	[ [], ['r3'], 3 ], 'f03: from base to r3, 3 revisions');
is($rows->{f05}{status}, 'failed', 'f05 refused');
like($rows->{f05}{error}, qr/relation "c3" already exists/, 'f05: the error says why');
is_deeply($rows->{f05}{to}, [], 'f05: nothing applied (the upgrade is one transaction)');
is($rows->{nowhere}{status}, 'failed', 'the unreachable database failed');
like($rows->{nowhere}{error}, qr/connect|connection/i, 'unreachable: a connection error');
is(scalar(grep { $_->{status} eq 'done' } @{ $doc->{databases} }), 13, 'the 13 others are done');
like($err, qr/dbname=f05: pg_migrate: error: .*c3/, 'the messages of f05 are relayed, prefixed');
ok(defined $rows->{f14}{duration_ms}, 'time per database');

# a rerun runs nothing where r3 is applied
($rc, $out, $err) = run_pm('upgrade', '--dbs-file', $all_file, '-j', '4', '--continue-on-error');
is($rc, 1, 'rerun: f05 and the unreachable one still fail');
is(scalar(() = $out =~ /\| at_target \|/g), 13, 'rerun: 13 databases already at the target');
like($out, qr/15 databases, 13 at_target, 2 failed in/, 'rerun: the counts');

# the canary group fails: nothing else starts
revision('004_four', 'r4', 'r3', 'CREATE TABLE t4 (x int);', 'DROP TABLE t4;');
my $canary_file = write_list('canary.txt', map { conninfo($_) } ('f05', grep { $_ ne 'f05' } @dbs));
($rc, $out, $err) = run_pm('upgrade', '--dbs-file', $canary_file, '--canary', '1', '-j', '4',
	'--continue-on-error', '--json');
is($rc, 1, 'canary failure: exit status 1');
($doc, $rows) = rows_of($out);
is($rows->{f05}{status}, 'failed', 'the canary failed');
is(scalar(grep { $_->{status} eq 'not_started' } @{ $doc->{databases} }), 13,
	'the 13 others were not started');
like($rows->{f01}{error}, qr/canary group failed/, 'not started: says why');
is(current('f01'), 'r3', 'f01 not upgraded');

# without --continue-on-error, the first failure stops the rollout (-j 1)
($rc, $out, $err) = run_pm('upgrade', '--dbs-file', $canary_file, '--json');
($doc, $rows) = rows_of($out);
is($rows->{f05}{status}, 'failed', 'first database fails');
like($rows->{f14}{error}, qr/rollout stopped after a failure/, 'the rollout stopped');
is(current('f14'), 'r3', 'f14 not upgraded');

# f05 fixed; canary passes, the rest follows; -j 4
$node_of{f05}->safe_psql('f05', 'SET migrate.enforce = off; DROP TABLE c3');
my $good_file = write_list('good.txt', map { conninfo($_) } @dbs);
($rc, $out, $err) = run_pm('upgrade', '--dbs-file', $canary_file, '--canary', '2', '-j', '4');
is($rc, 0, 'canary passes, rollout completes') or diag($out, $err);
is(join(' ', map { current($_) } @dbs), join(' ', ('r4') x 14), 'all 14 at r4');
like($out, qr/dbname=f05 \| done +\| base +\| r4 +\| 4 /, 'f05: from base to r4');

# a lagging database: only it runs
($rc, $out, $err) = run_pm('-d', conninfo('f09'), 'downgrade', 'r3');
is($rc, 0, 'f09 downgraded alone');
($rc, $out, $err) = run_pm('upgrade', '--dbs-file', $good_file, '-j', '4', '--json');
is($rc, 0, 'rerun with one lagging database');
($doc, $rows) = rows_of($out);
is($rows->{f09}{status} . ' ' . $rows->{f09}{revisions}, 'done 1', 'f09 upgraded, 1 revision');
is(scalar(grep { $_->{status} eq 'at_target' && $_->{revisions} == 0 } @{ $doc->{databases} }),
	13, 'the 13 others: already at the target, nothing run');

# --dbs-query on a directory database; current and check on the fleet
$nodes[0]->safe_psql('postgres',
	"CREATE TABLE tenants (conn text); INSERT INTO tenants VALUES ('"
	  . join("'), ('", map { conninfo($_) } qw(f01 f02 f10)) . "')");
$node_of{postgres} = $nodes[0];
($rc, $out, $err) = run_pm('-d', conninfo('postgres'), 'current', '--dbs-query',
	'SELECT conn FROM tenants ORDER BY 1');
is($rc, 0, 'current over --dbs-query') or diag($err);
like($out, qr/dbname=f01: r4 \(head\), 004_four\n.*dbname=f02: r4 \(head\), 004_four\n.*dbname=f10: r4 \(head\), 004_four/s,
	'current: one line per database');
($rc, $out, $err) = run_pm('-d', conninfo('f01'), '-d', conninfo('f02'), 'check', '--json');
is($rc, 0, 'check over two databases') or diag($out, $err);
is(scalar @{ decode_json($out) }, 2, 'check --json: one element per database');

# --atomic: every database commits
revision('005_five', 'r5', 'r4', 'CREATE TABLE t5 (x int);', 'DROP TABLE t5;');
($rc, $out, $err) = run_pm('upgrade', '--dbs-file', $good_file, '-j', '4', '--atomic', '--json');
is($rc, 0, '--atomic succeeds') or diag($out, $err);
($doc, $rows) = rows_of($out);
is(scalar(grep { $_->{status} eq 'committed' } @{ $doc->{databases} }), 14, 'all 14 committed');
like($doc->{fleet}, qr/^[0-9a-f]{12}$/, 'the fleet id');
is(join(' ', map { current($_) } @dbs), join(' ', ('r5') x 14), 'all 14 at r5');
is(prepared_count(), 0, 'no prepared transaction is left');

# --atomic with a database that refuses: none changes
revision('006_six', 'r6', 'r5', 'CREATE TABLE c6 (x int);', 'DROP TABLE c6;');
($rc, $out, $err) = run_pm('upgrade', '--dbs-file', $good_file, '-j', '4', '--atomic', '--json');
is($rc, 1, '--atomic with a failing database fails');
($doc, $rows) = rows_of($out);
is($rows->{f07}{status}, 'failed', 'f07 failed');
like($rows->{f07}{error}, qr/relation "c6" already exists/, 'f07: why');
ok((grep { $_->{status} eq 'rolled_back' } @{ $doc->{databases} }) > 0,
	'prepared members were rolled back');
ok(!(grep { $_->{status} =~ /^(committed|done|prepared)$/ } @{ $doc->{databases} }),
	'no database committed');
is(join(' ', map { current($_) } @dbs), join(' ', ('r5') x 14), 'every database still at r5');
is(prepared_count(), 0, 'no prepared transaction is left');

# --atomic refusals up front: an unreachable database, a server without
# max_prepared_transactions, a non-transactional revision
($rc, $out, $err) = run_pm('-d', conninfo('f01'), '-d', $bad, 'upgrade', '--atomic');
is($rc, 1, '--atomic with an unreachable database is refused');
is(current('f01'), 'r5', 'f01 did not move');
($rc, $out, $err) = run_pm('-d', conninfo('f01'), '-d',
	"host=" . $plain->host . " port=" . $plain->port . " dbname=p01", 'upgrade', '--atomic');
is($rc, 1, '--atomic on a server without two-phase commit is refused');
like($err, qr/max_prepared_transactions is 0 on the server of database "p01"/, 'says why');
like($err, qr/hint: Set max_prepared_transactions/, 'with a hint');
is(current('f01'), 'r5', 'f01 did not move');
$plain->append_conf('postgresql.conf', "max_prepared_transactions = 1");
$plain->restart;
$plain->safe_psql('postgres', 'CREATE DATABASE p02');
$plain->safe_psql('p02', 'CREATE EXTENSION migrate');
($rc, $out, $err) = run_pm('-d', conninfo('f01'),
	(map { ('-d', "host=" . $plain->host . " port=" . $plain->port . " dbname=$_") } qw(p01 p02)),
	'upgrade', '--atomic');
is($rc, 1, '--atomic with more databases on a server than it can prepare is refused');
like($err, qr/the server at \S+ has room for 1 more prepared transaction, but 2 databases of the fleet are there/,
	'says why');
is(current('f01'), 'r5', 'f01 did not move');
is($plain->safe_psql('p01', 'SELECT count(*) FROM migrate_current()'), '0', 'p01 did not move');

# kill -9 of the client between PREPARE and COMMIT, then fleet recover
$node_of{f07}->safe_psql('f07', 'SET migrate.enforce = off; DROP TABLE c6');
{
	local $ENV{MIGRATE_TEST_KILL_AFTER_PREPARE} = '1';
	my $status;
	($rc, $out, $err, $status) = run_pm('upgrade', '--dbs-file', $good_file, '-j', '4', '--atomic');
	is($status & 127, 9, 'the client was killed (SIGKILL) after the PREPAREs');
}
is(prepared_count(), 14, '14 prepared transactions are in doubt');
my $problems = $node_of{f03}->safe_psql('f03',
	"SELECT problem || ': ' || detail FROM migrate_check() WHERE problem = 'prepared_transaction'");
like($problems, qr/^prepared_transaction: Prepared transaction "migrate_[0-9a-f]{12}_\d+_14" of an atomic fleet run is in doubt since .* \(for [0-9:]+\)/,
	'migrate_check reports the prepared transaction, its gid and age');
is(current('f03'), 'r5', 'not committed yet');
($rc, $out, $err) = run_pm('-d', conninfo('f03'), 'check');
is($rc, 3, 'pg_migrate check: exit status 3 while a transaction is in doubt');
like($out, qr/^prepared_transaction: Prepared transaction "migrate_/m, 'pg_migrate check lists it');
($rc, $out, $err) = run_pm('fleet', 'recover', '--dbs-file', $good_file, '-j', '4');
is($rc, 0, 'fleet recover succeeds') or diag($out, $err);
like($out, qr/14 prepared transactions: 14 committed, 0 rolled back, 0 failed/, 'all 14 committed');
like($out, qr/all 14 members of fleet [0-9a-f]+ are prepared/, 'says why');
is(join(' ', map { current($_) } @dbs), join(' ', ('r6') x 14), 'every database at r6');
is(prepared_count(), 0, 'nothing in doubt');
is($node_of{f03}->safe_psql('f03', "SELECT count(*) FROM migrate_check() WHERE problem = 'prepared_transaction'"),
	'0', 'migrate_check: no prepared transaction');
($rc, $out, $err) = run_pm('fleet', 'recover', '--dbs-file', $good_file);
like($out, qr/no prepared transaction of a fleet in 14 databases/, 'recover again: nothing to do');

# killed again, and one member's prepared transaction is gone (as if it
# never prepared): recover rolls back the others
revision('007_seven', 'r7', 'r6', 'CREATE TABLE t7 (x int);', 'DROP TABLE t7;');
{
	local $ENV{MIGRATE_TEST_KILL_AFTER_PREPARE} = '1';
	run_pm('upgrade', '--dbs-file', $good_file, '-j', '4', '--atomic');
}
my $gid = $node_of{f12}->safe_psql('f12',
	"SELECT gid FROM pg_prepared_xacts WHERE database = current_database()");
like($gid, qr/^migrate_[0-9a-f]{12}_\d+_14$/, 'f12 has its prepared transaction');
$node_of{f12}->safe_psql('f12', "ROLLBACK PREPARED '$gid'");
($rc, $out, $err) = run_pm('fleet', 'recover', '--dbs-file', $good_file, '--json');
is($rc, 0, 'recover with a member missing') or diag($out, $err);
$doc = decode_json($out);
is(scalar(grep { $_->{action} eq 'rolled_back' } @{ $doc->{transactions} }), 13, '13 rolled back');
like($doc->{transactions}[0]{reason}, qr/member \d+ of 14 of fleet [0-9a-f]+ is neither prepared nor committed/,
	'says why');
is(join(' ', map { current($_) } @dbs), join(' ', ('r6') x 14), 'every database still at r6');
is(prepared_count(), 0, 'nothing in doubt');

# a non-transactional revision cannot be part of an atomic run; without
# --atomic it runs as on one database
revision('008_eight', 'r8', 'r7', 'CREATE INDEX CONCURRENTLY t7_x_idx ON t7 (x);',
	'DROP INDEX CONCURRENTLY t7_x_idx;', 0);
($rc, $out, $err) = run_pm('upgrade', '--dbs-file', $good_file, '-j', '4', '--atomic');
is($rc, 1, '--atomic with a non-transactional revision is refused');
like($err, qr/revision "r8" runs outside a transaction: it cannot be part of an atomic fleet upgrade/,
	'says why');
is(current('f01'), 'r6', 'nothing moved');
($rc, $out, $err) = run_pm('upgrade', '--dbs-file', $good_file, '-j', '4');
is($rc, 0, 'without --atomic the non-transactional revision runs') or diag($out, $err);
is(join(' ', map { current($_) } @dbs), join(' ', ('r8') x 14), 'every database at r8');

# downgrades: on the fleet (r8's non-transactional downgrade at top
# level), then atomic
($rc, $out, $err) = run_pm('downgrade', 'r7', '--dbs-file', $good_file, '-j', '4', '--json');
is($rc, 0, 'fleet downgrade') or diag($out, $err);
($doc, $rows) = rows_of($out);
is($rows->{f11}{status} . ' ' . $rows->{f11}{revisions}, 'done 1', 'f11: 1 revision downgraded');
is(join(' ', map { current($_) } @dbs), join(' ', ('r7') x 14), 'every database at r7');
($rc, $out, $err) = run_pm('downgrade', 'r6', '--dbs-file', $good_file, '-j', '4', '--atomic', '--json');
is($rc, 0, 'atomic fleet downgrade') or diag($out, $err);
($doc, $rows) = rows_of($out);
is(scalar(grep { $_->{status} eq 'committed' } @{ $doc->{databases} }), 14, 'all 14 committed');
is(join(' ', map { current($_) } @dbs), join(' ', ('r6') x 14), 'every database at r6');
is(prepared_count(), 0, 'nothing in doubt');

# killed in the middle of the commits (one member committed, as if the
# client died after its COMMIT PREPARED): recover commits the others
{
	local $ENV{MIGRATE_TEST_KILL_AFTER_PREPARE} = '1';
	run_pm('upgrade', 'r7', '--dbs-file', $good_file, '-j', '4', '--atomic');
}
$gid = $node_of{f14}->safe_psql('f14',
	"SELECT gid FROM pg_prepared_xacts WHERE database = current_database()");
$node_of{f14}->safe_psql('f14', "COMMIT PREPARED '$gid'");
is(prepared_count(), 13, '13 prepared, one committed');
($rc, $out, $err) = run_pm('fleet', 'recover', '--dbs-file', $good_file, '-j', '4');
is($rc, 0, 'recover after a partial commit') or diag($out, $err);
like($out, qr/13 prepared transactions: 13 committed, 0 rolled back, 0 failed/, '13 committed');
like($out, qr/a member of fleet [0-9a-f]+ committed/, 'because a member committed');
is(join(' ', map { current($_) } @dbs), join(' ', ('r7') x 14), 'every database at r7');
is(prepared_count(), 0, 'nothing in doubt');

$_->stop for (@nodes, $plain);
done_testing();
