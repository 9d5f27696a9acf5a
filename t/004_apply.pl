
# CALL migrate_apply with default settings: a history too long for one
# transaction, an apply stopped by a crash that resumes, and a statement
# retried while another session holds its lock.

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

my $node = PostgreSQL::Test::Cluster->new('apply');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION migrate');

# 3,000 revisions, each a table with an identity key and an index: more
# locks than one transaction can hold with max_locks_per_transaction = 64.
is($node->safe_psql('postgres', 'SHOW max_locks_per_transaction'), '64',
	'default lock memory');
$node->safe_psql(
	'postgres', q{
SELECT count(migrate_revision(
	'revision ' || i,
	format('CREATE TABLE ch_%s (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text); CREATE INDEX ch_%s_v ON ch_%s (v)', i, i, i),
	format('DROP TABLE ch_%s', i),
	id => 'ch' || lpad(i::text, 4, '0'),
	parents => CASE WHEN i = 1 THEN '{}'::text[] END))
  FROM generate_series(1, 3000) i;
});

my ($ret, $out, $err) = $node->psql('postgres', q{SELECT count(*) FROM migrate_upgrade('head')});
like($err, qr/out of shared memory/, 'one transaction runs out of lock memory');
like($err, qr/CALL migrate_apply\('head'\) commits after each revision/,
	'and its hint names CALL migrate_apply');
is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate.applied'), '0',
	'nothing applied by the failed call');

# Stop the server while CALL migrate_apply runs.
my $state_sql = q{
SELECT (SELECT count(*) FROM migrate.applied) = (SELECT count(*) FROM pg_class WHERE relname ~ '^ch_[0-9]+$' AND relkind = 'r')};
my $psql = $node->background_psql('postgres', on_error_stop => 0);
$psql->query_until(qr/started/, q{
\echo started
SET client_min_messages = warning;
CALL migrate_apply('head');
});
ok( $node->poll_query_until('postgres', 'SELECT count(*) > 200 FROM migrate.applied'),
	'the apply commits as it goes');
$node->stop('immediate');
eval { $psql->quit; };
$node->start;

my $applied = $node->safe_psql('postgres', 'SELECT count(*) FROM migrate.applied');
cmp_ok($applied, '>', 200, "after the crash, $applied revisions are applied");
cmp_ok($applied, '<', 3000, 'and not all of them');
is($node->safe_psql('postgres', $state_sql), 't', 'applied set matches the tables');
is($node->safe_psql('postgres', q{SELECT count(*) FROM migrate_check() WHERE problem <> 'pending'}),
	'0', 'migrate_check finds nothing but pending revisions');

# The same CALL resumes where it stopped.
($ret, $out, $err) = $node->psql('postgres', q{CALL migrate_apply('head')});
is($ret, 0, 'CALL migrate_apply resumes');
like($err, qr/applied 1 of \d+: revision ch\d+/, 'it reports its progress');
is($node->safe_psql('postgres', 'SELECT count(*) FROM migrate.applied'), '3000',
	'all 3,000 revisions applied');
is($node->safe_psql('postgres', $state_sql), 't', 'applied set matches the tables');
is($node->safe_psql('postgres', 'SELECT migrate_at_head()'), 't', 'at head');

# Lock-timeout retries: another session holds a lock the next revision
# needs, then lets it go.
$node->safe_psql('postgres',
	q{SELECT migrate_revision('touch ch_1', 'ALTER TABLE ch_1 ADD COLUMN extra int', 'ALTER TABLE ch_1 DROP COLUMN extra', id => 'lk01')});
my $blocker = $node->background_psql('postgres');
$blocker->query_safe('BEGIN; LOCK TABLE ch_1 IN ACCESS SHARE MODE;');
my $runner = $node->background_psql('postgres', on_error_stop => 0);
$runner->query_until(qr/started/, q{
\echo started
SET migrate.lock_timeout = '200ms';
SET migrate.lock_retries = 20;
SET migrate.lock_retry_delay = '100ms';
SELECT count(*) FROM migrate_upgrade('head');
\echo done
});
# (the retries are logged in the upgrade's transaction: wait for its
# second lock wait instead)
ok( $node->poll_query_until('postgres', q{
SELECT count(*) > 0 FROM pg_stat_activity
 WHERE wait_event_type = 'Lock' AND query LIKE 'SELECT count(*) FROM migrate_upgrade%'
   AND now() - query_start > interval '400 ms'}),
	'the upgrade waits for the lock, again and again');
$blocker->query_safe('COMMIT');
$runner->query_until(qr/done/, '');
is($node->safe_psql('postgres', q{SELECT count(*) FROM migrate.applied WHERE revision = 'lk01'}),
	'1', 'the blocked revision is applied once the blocker commits');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_attribute WHERE attrelid = 'ch_1'::regclass AND attname = 'extra'}),
	'1', 'and its statement did run');
cmp_ok($node->safe_psql('postgres', q{SELECT count(*) FROM migrate.log WHERE revision = 'lk01' AND outcome = 'retry' AND detail ~ '^pid \d+ '}),
	'>', 0, 'each retry is logged with the blocker');

# Retries run out while the blocker stays: the error names it.
$node->safe_psql('postgres',
	q{SELECT migrate_revision('touch ch_2', 'ALTER TABLE ch_2 ADD COLUMN extra int', 'ALTER TABLE ch_2 DROP COLUMN extra', id => 'lk02')});
$blocker->query_safe('BEGIN; LOCK TABLE ch_2 IN ACCESS SHARE MODE;');
($ret, $out, $err) = $node->psql('postgres', q{
SET migrate.lock_timeout = '100ms';
SET migrate.lock_retries = 2;
SET migrate.lock_retry_delay = '50ms';
SELECT count(*) FROM migrate_upgrade('head');});
like($err, qr/canceling statement due to lock timeout/, 'the upgrade fails on the lock');
like($err, qr/not granted in 3 attempts of 100 ms/, 'after three attempts');
like($err, qr/Blocking: pid \d+ \(role \w+, idle in transaction since [^)]*\): /,
	'naming the blocking session');
like($err, qr/NOTICE:  statement 1 of revision "lk02" could not get a lock; retry 1 of 2 in 50 ms/,
	'each retry is reported');
is($node->safe_psql('postgres', q{SELECT count(*) FROM migrate.log WHERE revision = 'lk02' AND outcome = 'failure' AND sqlstate = '55P03' AND detail ~ 'Blocking: pid'}),
	'1', 'the failure record names the blocker');
$blocker->query_safe('COMMIT');

# A retry rolls back to the savepoint of the batch of revisions the blocked
# one belongs to, and runs the batch again: the revisions before it in the
# same call still run once.
$node->safe_psql('postgres', q{
SELECT migrate_revision('new table', 'CREATE TABLE lk_new (id int); INSERT INTO lk_new VALUES (1)', 'DROP TABLE lk_new', id => 'lk03');
SELECT migrate_revision('touch ch_3', 'ALTER TABLE ch_3 ADD COLUMN extra int', 'ALTER TABLE ch_3 DROP COLUMN extra', id => 'lk04');
});
$blocker->query_safe('BEGIN; LOCK TABLE ch_3 IN ACCESS SHARE MODE;');
$runner->query_until(qr/started/, q{
\echo started
SELECT string_agg(revision, ' ' ORDER BY step) FROM migrate_upgrade('head');
\echo done
});
ok( $node->poll_query_until('postgres', q{
SELECT count(*) > 0 FROM pg_stat_activity
 WHERE wait_event_type = 'Lock' AND query LIKE 'SELECT string_agg(revision%'
   AND now() - query_start > interval '400 ms'}),
	'an upgrade of several revisions waits for the lock of the last');
$blocker->query_safe('COMMIT');
my $upgraded = $runner->query_until(qr/done/, '');
like($upgraded, qr/lk02 lk03 lk04/, 'then runs all three');
is($node->safe_psql('postgres', q{SELECT count(*) FROM lk_new}), '1',
	'the revisions before the blocked one ran once');
is( $node->safe_psql('postgres', q{
SELECT string_agg(revision, ' ' ORDER BY revision) FROM migrate.log
 WHERE revision IN ('lk02', 'lk03', 'lk04') AND outcome = 'success'}),
	'lk02 lk03 lk04', 'and are logged once each');
cmp_ok($node->safe_psql('postgres', q{SELECT count(*) FROM migrate.log WHERE revision = 'lk04' AND outcome = 'retry'}),
	'>', 0, 'the retries name the blocked revision');
$blocker->quit;
$runner->quit;

$node->stop;
done_testing();
