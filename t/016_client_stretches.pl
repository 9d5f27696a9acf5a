
# pg_migrate and non-transactional revisions split by COMMIT: each stretch
# runs in one transaction (the simple query protocol's implicit one), ends
# with the record of its progress, and a rerun after a failure starts at
# the stretch that failed, not again at what committed.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

$ENV{PGOPTIONS} = "-c client_min_messages=warning";

my $node = PostgreSQL::Test::Cluster->new('stretches');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE EXTENSION migrate');

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

revision_file('001_tables', <<'SQL');
-- migrate:revision s1
-- migrate:message tables

-- migrate:upgrade
CREATE TABLE a (v int);
CREATE TABLE b (v int);
CREATE TABLE gate (x int);
INSERT INTO a VALUES (0);
INSERT INTO b VALUES (0);

-- migrate:downgrade
DROP TABLE a, b, gate;
SQL
revision_file('002_batches', <<'SQL');
-- migrate:revision s2
-- migrate:parents s1
-- migrate:transactional false
-- migrate:message batches

-- migrate:upgrade
UPDATE a SET v = v + 1 WHERE true;
COMMIT AND CHAIN;
UPDATE b SET v = v + 1 WHERE true;
INSERT INTO b SELECT 1 / (SELECT count(*) FROM gate)::int;
COMMIT;
CREATE INDEX CONCURRENTLY a_v ON a (v);

-- migrate:downgrade
DROP INDEX CONCURRENTLY IF EXISTS a_v;
SQL

my @pm = ('pg_migrate', '-h', $node->host, '-p', $node->port, '-d', 'app', '-D', $dir);
my ($out, $err) = ('', '');
my $ok = IPC::Run::run([ @pm, 'upgrade', 'head' ], '>', \$out, '2>', \$err);
ok(!$ok, 'a failing second stretch stops the upgrade');
like($err, qr/The stretch before it committed and is recorded/, 'the error says what committed');
is($node->safe_psql('app', "SELECT (SELECT v FROM a) || ' ' || (SELECT string_agg(v::text, ',') FROM b)"),
	'1 0', 'the first stretch committed, the second rolled back as a whole');
is($node->safe_psql('app', "SELECT string_agg(revision || ':' || stretch, ',') FROM migrate.progress"),
	's2:1', 'the first stretch is recorded');

$node->safe_psql('app', 'INSERT INTO gate VALUES (1)');
$ok = IPC::Run::run([ @pm, 'upgrade', 'head' ], '>', \$out, '2>', \$err);
ok($ok, 'the rerun succeeds') or diag($err);
is($node->safe_psql('app', "SELECT (SELECT v FROM a) || ' ' || (SELECT string_agg(v::text, ',' ORDER BY v) FROM b)"),
	'1 1,1', 'the rerun started at the second stretch: the first ran once');
is($node->safe_psql('app', "SELECT count(*) FROM pg_indexes WHERE indexname = 'a_v'"), '1',
	'the CONCURRENTLY build ran alone, after the stretches');
is($node->safe_psql('app', 'SELECT count(*) FROM migrate.progress'), '0',
	'the progress goes once the revision is recorded');
is($node->safe_psql('app', "SELECT string_agg(revision || ' ' || outcome, ', ' ORDER BY id) FROM migrate.log"),
	's1 success, s2 success', 'the log has both revisions');

# migrate_sql writes the same stretches
my $script = $node->safe_psql('app', "SELECT migrate_sql('s2', 's1')");
like($script, qr/BEGIN;\nUPDATE b SET v = v \+ 1 WHERE true;\nINSERT INTO b .*;\nCOMMIT;\n/s,
	'migrate_sql writes a stretch of several statements between BEGIN and COMMIT');

$node->stop;
done_testing();
