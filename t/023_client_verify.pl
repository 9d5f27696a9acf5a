
# pg_migrate show (what the last run of a revision did), pg_migrate verify
# (the stairway test, exit status 3 on a problem, nothing kept: neither the
# revisions' work nor the folder's load) and pg_migrate impact (what
# depends on an object; clear errors for unknown and ambiguous names).

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

$ENV{PGOPTIONS} = "-c client_min_messages=warning";

my $node = PostgreSQL::Test::Cluster->new('verifycli');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE EXTENSION migrate');

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tempdir/migrations";
mkdir $dir or die;
my @pm = ('pg_migrate', '-h', $node->host, '-p', $node->port, '-d', 'app', '-D', $dir);

sub pm_run
{
	my ($out, $err) = ('', '');
	IPC::Run::run([ @pm, @_ ], '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

sub revision_file
{
	my ($name, $text) = @_;
	open my $fh, '>', "$dir/$name" or die;
	print $fh $text;
	close $fh;
}

revision_file('001_persons.sql', <<'SQL');
-- migrate:revision v1
-- migrate:message persons

-- migrate:upgrade
CREATE SCHEMA hr;
CREATE TABLE hr.persons (id int CONSTRAINT persons_pkey PRIMARY KEY, email text, hr_code text);
CREATE VIEW hr.emails AS SELECT id, email FROM hr.persons;

-- migrate:downgrade
DROP SCHEMA hr CASCADE;
SQL
my ($rc, $out, $err) = pm_run('upgrade');
is($rc, 0, 'upgrade the base') or diag($err);

# show: what the last run did (the effects logged with the revision)
($rc, $out, $err) = pm_run('show', 'v1');
is($rc, 0, 'show');
like($out, qr/^Last run:      upgrade$/m, 'show says the last run was an upgrade');
like($out, qr/^  created table hr\.persons$/m, 'and what it created');
like($out, qr/^  created view hr\.emails$/m, 'the view too');

# nothing pending
($rc, $out, $err) = pm_run('verify');
is($rc, 0, 'verify with nothing pending: exit status 0') or diag($err);
like($out, qr/nothing to verify/, 'and says so');

# a good revision
revision_file('002_name.sql', <<'SQL');
-- migrate:revision v2
-- migrate:parents v1
-- migrate:message name

-- migrate:upgrade
ALTER TABLE hr.persons ADD COLUMN name text;

-- migrate:downgrade
ALTER TABLE hr.persons DROP COLUMN name;
SQL
($rc, $out, $err) = pm_run('verify');
is($rc, 0, 'verify a good revision: exit status 0') or diag("$out$err");
like($out, qr/^v2 ok$/m, 'v2 is ok');
like($out, qr/1 revision verified, 0 with problems/, 'the summary');

# a downgrade that forgets the index
revision_file('003_index.sql', <<'SQL');
-- migrate:revision v3
-- migrate:parents v2
-- migrate:message index on email

-- migrate:upgrade
CREATE INDEX persons_email_idx ON hr.persons (email);

-- migrate:downgrade
SELECT 1;
SQL
($rc, $out, $err) = pm_run('verify');
is($rc, 3, 'a downgrade that forgets an index: exit status 3');
like($out, qr/^v3 downgrade_incomplete$/m, 'v3 is downgrade_incomplete');
like($out, qr/left behind by the downgrade: index hr\.persons_email_idx/,
	'the index is named');
like($out, qr/42P07: upgrade again failed/, 'and the upgrade cannot run again');

# JSON: one object per revision
($rc, $out, $err) = pm_run('verify', '--json');
is($rc, 3, 'verify --json: exit status 3 too');
like($out, qr/"revision":"v3","status":"downgrade_incomplete"/, 'verify --json');

# a target
($rc, $out, $err) = pm_run('verify', 'v2');
is($rc, 0, 'verify up to v2: exit status 0');
unlike($out, qr/v3/, 'v3 is not verified');

# a non-transactional revision is verified through its transactional
# equivalents, and its note says so; one with a statement that has none
# (VACUUM) is skipped, with the reason
revision_file('004_name_index.sql', <<'SQL');
-- migrate:revision v4
-- migrate:parents v3
-- migrate:transactional false
-- migrate:message index on name

-- migrate:upgrade
CREATE INDEX CONCURRENTLY persons_name_idx ON hr.persons (name);

-- migrate:downgrade
DROP INDEX CONCURRENTLY hr.persons_name_idx;
SQL
revision_file('005_vacuum.sql', <<'SQL');
-- migrate:revision v5
-- migrate:parents v4
-- migrate:transactional false
-- migrate:message vacuum

-- migrate:upgrade
VACUUM hr.persons;

-- migrate:downgrade
SELECT 1;
SQL
($rc, $out, $err) = pm_run('verify');
is($rc, 3, 'verify with a skipped revision: exit status 3');
like($out,
	qr/^v4 ok\n    note: non-transactional, verified in one transaction through transactional equivalents: upgrade statement 1: CREATE INDEX CONCURRENTLY as CREATE INDEX; downgrade statement 1: DROP INDEX CONCURRENTLY as DROP INDEX$/m,
	'v4 is ok, verified through CREATE INDEX and DROP INDEX');
like($out,
	qr/^v5 skipped\n    MG201: upgrade not run: VACUUM at statement 1 \(line 7\) has no transactional equivalent$/m,
	'v5 is skipped: VACUUM has no transactional equivalent');
unlike($out, qr/^v5 skipped\n    note/m, 'and has no note');
unlink "$dir/004_name_index.sql", "$dir/005_vacuum.sql";

# nothing was kept: not the revisions' work, not the folder's load
is($node->safe_psql('app', "SELECT count(*) FROM pg_class WHERE relname IN ('persons_email_idx', 'persons_name_idx')"),
	'0', 'no index stays');
is($node->safe_psql('app', "SELECT count(*) FROM migrate.revision WHERE id IN ('v2', 'v3')"),
	'0', 'the folder was not loaded for good');
is($node->safe_psql('app', "SELECT string_agg(revision, ',') FROM migrate_current()"),
	'v1', 'v1 is still the current revision');

# an unknown target
($rc, $out, $err) = pm_run('verify', 'nope');
is($rc, 1, 'verify an unknown target fails');
like($err, qr/revision "nope" does not exist/, 'and says why');
($rc, $out, $err) = pm_run('verify', 'a', 'b');
is($rc, 2, 'verify takes one target at most');

# impact
$node->safe_psql('app', "SELECT migrate_protect('hr.persons.hr_code', 'written by the HR sync')");
($rc, $out, $err) = pm_run('impact', 'hr.persons');
is($rc, 0, 'impact of a table') or diag($err);
like($out, qr/^table hr\.persons/m, 'the table first');
like($out, qr/PROTECTED: hr\.persons\.hr_code: written by the HR sync/,
	'its protected column is named');
like($out, qr/^  view hr\.emails/m, 'the view, one level down');
like($out, qr/revisions: v1 \(created\)/, 'the revision that created it');
($rc, $out, $err) = pm_run('impact', 'hr.persons.email', '--json');
is($rc, 0, 'impact --json');
like($out, qr/"kind":"view","object":"hr.emails"/, 'impact --json names the view');
($rc, $out, $err) = pm_run('impact', 'hr.nope');
is($rc, 1, 'impact of an unknown object fails');
like($err, qr/object "hr\.nope" does not exist/, 'and says so');
$node->safe_psql('app', 'CREATE SCHEMA persons; CREATE TABLE public.persons (id int)');
($rc, $out, $err) = pm_run('impact', 'persons');
is($rc, 1, 'impact of an ambiguous name fails');
like($err, qr/object name "persons" is ambiguous/, 'and says why');
($rc, $out, $err) = pm_run('impact');
is($rc, 2, 'impact needs an object');

$node->stop;
done_testing();
