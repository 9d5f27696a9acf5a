
# migrate on a Citus coordinator with two workers (run by test/citus/run.sh,
# which finds or builds Citus first): revisions that distribute tables
# upgrade and downgrade, their DDL reaches every shard, Citus's own DDL
# leaves no drift, the guard blocks unsafe ad-hoc DDL on the coordinator,
# the linter counts a distributed table's rows on its shards and knows
# Citus's own refusals (each rule both ways), migrate_impact sees one
# table, and CALL migrate_apply runs create_distributed_table_concurrently.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

$ENV{PGOPTIONS} = '-c client_min_messages=warning';

# Three clusters on loopback: the workers must be reachable by TCP from
# the coordinator (and the coordinator from itself).
my @nodes;
for my $name (qw(coordinator worker1 worker2))
{
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf(
		'postgresql.conf', qq{
listen_addresses = '127.0.0.1'
shared_preload_libraries = 'citus'
wal_level = logical
max_worker_processes = 20
max_replication_slots = 10
max_wal_senders = 10
});
	$node->start;
	# create_distributed_table_concurrently decodes with Citus's output
	# plugin; servers that restrict the plugins a slot may name must list it
	if ($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_settings WHERE name = 'output_plugin_libraries'") eq '1')
	{
		$node->append_conf('postgresql.conf',
			"output_plugin_libraries = 'pgoutput, test_decoding, citus'");
		$node->reload;
	}
	$node->safe_psql('postgres', 'CREATE EXTENSION citus');
	push @nodes, $node;
}
my ($co, $w1, $w2) = @nodes;
$co->safe_psql('postgres',
	"SELECT citus_set_coordinator_host('127.0.0.1', " . $co->port . ')');
$co->safe_psql('postgres',
	"SELECT citus_add_node('127.0.0.1', " . $_->port . ')')
  for ($w1, $w2);
is($co->safe_psql('postgres', 'SELECT count(*) FROM citus_get_active_worker_nodes()'),
	'2', 'coordinator with two active workers');
$co->safe_psql('postgres', 'CREATE EXTENSION migrate');

sub sq { return $co->safe_psql('postgres', shift) }

# psql's stderr of a statement that must fail
sub fails
{
	my ($sql) = @_;
	my ($rc, $out, $err) = $co->psql('postgres', $sql);
	return $rc == 0 ? '' : $err;
}

sub load
{
	my ($text) = @_;
	$text =~ s/'/''/g;
	return sq("SELECT migrate_load('$text')");
}

# rules a text sets off, as "statement:rule" lines (live lint, coordinator)
sub lint
{
	my ($sql, %opt) = @_;
	my $tx = exists $opt{transactional} ? $opt{transactional} : 'true';
	$sql =~ s/\$\$/\$ \$/g;
	return sq("SELECT string_agg(statement || ':' || rule, ' ' ORDER BY statement, rule)"
		  . " FROM migrate_lint(\$lint\$$sql\$lint\$, transactional => $tx)");
}

# shards of a table whose catalog answers "1" to a per-shard query
sub shards_with
{
	my ($table, $query) = @_;
	return sq("SELECT count(*) FROM run_command_on_shards('$table', \$q\$$query\$q\$)"
		  . " WHERE success AND result = '1'");
}

# c1 as first written: distributing events, then a foreign key to the
# reference table in the same transaction, which Citus refuses
my $c1 = <<'REV';
-- migrate:revision c1
-- migrate:message distributed events, reference countries

-- migrate:upgrade
CREATE TABLE countries (code text PRIMARY KEY, name text);
SELECT create_reference_table('countries');
CREATE TABLE events (tenant_id bigint NOT NULL, id bigint NOT NULL, payload text,
                     PRIMARY KEY (tenant_id, id));
SELECT create_distributed_table('events', 'tenant_id', shard_count => 4);
CREATE TABLE addresses (tenant_id bigint NOT NULL, id bigint NOT NULL,
                        country text REFERENCES countries (code));
SELECT create_distributed_table('addresses', 'tenant_id', colocate_with => 'events');
CREATE TABLE plain (tenant_id bigint, id bigint, payload text);

-- migrate:downgrade
DROP TABLE plain;
DROP TABLE addresses;
DROP TABLE events;
DROP TABLE countries;
REV
load($c1);
like(fails(q{SELECT * FROM migrate_upgrade('head')}),
	qr/upgrade stopped by safety rule "citus-reference-table-after-parallel-ddl".*\n.*table "addresses" gets a foreign key to reference table "countries" after distributed table "events"/i,
	'a foreign key to a reference table after create_distributed_table in one transaction is stopped before Citus refuses it');
is(sq('SELECT count(*) FROM pg_dist_partition'), '0', 'and nothing of it is left');
$c1 =~ s/-- migrate:upgrade\n/-- migrate:upgrade\nSET LOCAL citus.multi_shard_modify_mode TO 'sequential';\n/;
load($c1);
load(<<'REV');
-- migrate:revision c2
-- migrate:parents c1
-- migrate:message events.kind

-- migrate:upgrade
ALTER TABLE events ADD COLUMN kind text;
CREATE INDEX events_kind ON events (kind);

-- migrate:downgrade
DROP INDEX events_kind;
ALTER TABLE events DROP COLUMN kind;
REV

# upgrade, DDL on every shard
is(sq("SELECT string_agg(revision, ',' ORDER BY step) FROM migrate_upgrade('head')"),
	'c1,c2', 'revisions that call create_distributed_table upgrade');
is(sq("SELECT string_agg(logicalrelid::text || '=' || partmethod::text, ' ' ORDER BY logicalrelid::text) FROM pg_dist_partition"),
	'addresses=h countries=n events=h', 'the revisions distributed and replicated their tables');
my $kind_col = q{SELECT count(*) FROM pg_attribute WHERE attrelid = '%s'::regclass AND attname = 'kind' AND NOT attisdropped};
is(shards_with('events', $kind_col), '4', 'the added column is on all 4 shards');
is(shards_with('events', q{SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = '%s'::regclass AND c.relname ~ '^events_kind'}),
	'4', 'the new index is on all 4 shards');
is(sq("SELECT count(*) FROM pg_dist_placement p JOIN pg_dist_shard s USING (shardid) WHERE s.logicalrelid = 'countries'::regclass"),
	'3', 'the reference table has a copy on the coordinator and both workers');
is(sq('SELECT count(*) FROM migrate_check()'), '0',
	"migrate_check: no drift after Citus's own DDL (shards, placements)");
my $show = q{SET citus.show_shards_for_app_name_prefixes = '*'; };
is(sq($show . q{SELECT count(*) FROM pg_class WHERE relname ~ '^countries_[0-9]+$'}), '1',
	'a session that shows the shards sees the copy of the reference table on the coordinator');
is(sq($show . 'SELECT count(*) FROM migrate_check()'), '0',
	'and still no drift: the fingerprint never holds shards');
is($_->safe_psql('postgres', 'SELECT count(*) FROM migrate_drift()'), '0',
	'a worker records no drift for the shard DDL the coordinator sent')
  for ($w1, $w2);

# downgrade removes it from every shard
is(sq("SELECT string_agg(revision, ',') FROM migrate_downgrade('c1')"), 'c2',
	'downgrade');
is(shards_with('events', $kind_col), '0', 'the column is gone from every shard');
is(sq('SELECT count(*) FROM migrate_check() WHERE problem = \'drift\''), '0',
	'no drift after the downgrade');
sq("SELECT count(*) FROM migrate_upgrade('head')");

# rows live in the shards; the linter counts them there
sq("INSERT INTO countries VALUES ('fr', 'France')");
sq("INSERT INTO events SELECT i % 10, i, 'x' FROM generate_series(1, 5000) i");
sq('ANALYZE events');
sq("INSERT INTO plain SELECT i % 10, i, 'x' FROM generate_series(1, 5000) i");
sq('ANALYZE plain');
is(lint('ALTER TABLE events ALTER COLUMN payload TYPE varchar(5)') =~ /1:changing-column-type/ ? 1 : 0,
	1, 'a rewrite of a populated distributed table is found (its rows are on the workers)');
like(sq("SELECT message FROM migrate_lint('ALTER TABLE events ALTER COLUMN payload TYPE varchar(5)') WHERE rule = 'changing-column-type'"),
	qr/about 5000 rows/, 'with the rows of its shards');
unlike(lint('ALTER TABLE addresses ALTER COLUMN country TYPE varchar(5)'),
	qr/changing-column-type/, 'the same on an empty distributed table: quiet');

# citus-distribution-column-change
like(lint('ALTER TABLE events ALTER COLUMN tenant_id TYPE int'),
	qr/1:citus-distribution-column-change/, 'distribution column type change: found');
like(lint('ALTER TABLE events DROP COLUMN tenant_id'),
	qr/1:citus-distribution-column-change/, 'distribution column drop: found');
unlike(lint('ALTER TABLE events ALTER COLUMN id TYPE numeric'),
	qr/citus-distribution-column-change/, 'another column of the table: quiet');
unlike(lint('ALTER TABLE plain ALTER COLUMN tenant_id TYPE int'),
	qr/citus-distribution-column-change/, 'the same column of a plain table: quiet');
like(fails(q{SET migrate.enforce = off; ALTER TABLE events ALTER COLUMN tenant_id TYPE int}),
	qr/partition column/, '(Citus refuses it indeed)');

# citus-unique-without-distribution-column
like(lint('ALTER TABLE events ADD CONSTRAINT events_id UNIQUE (id)'),
	qr/1:citus-unique-without-distribution-column/, 'UNIQUE without the distribution column: found');
like(lint('CREATE UNIQUE INDEX events_id ON events (id)'),
	qr/1:citus-unique-without-distribution-column/, 'unique index without it: found');
like(lint('ALTER TABLE addresses ADD PRIMARY KEY (id)'),
	qr/1:citus-unique-without-distribution-column/, 'PRIMARY KEY without it: found');
unlike(lint('ALTER TABLE events ADD CONSTRAINT events_tid UNIQUE (tenant_id, id)'),
	qr/citus-unique/, 'with the distribution column: quiet');
unlike(lint('ALTER TABLE countries ADD CONSTRAINT countries_name UNIQUE (name)'),
	qr/citus-unique/, 'on a reference table: quiet');
unlike(lint('ALTER TABLE plain ADD CONSTRAINT plain_id UNIQUE (id)'),
	qr/citus-unique/, 'on a plain table: quiet');
like(fails(q{SET migrate.enforce = off; ALTER TABLE events ADD CONSTRAINT events_id UNIQUE (id)}),
	qr/partition column/, '(Citus refuses it indeed)');

# citus-ddl-fans-out
like(lint('ALTER TABLE events ADD COLUMN note text'),
	qr/1:citus-ddl-fans-out/, 'ACCESS EXCLUSIVE DDL on a large distributed table: found');
like(sq("SELECT message FROM migrate_lint('ALTER TABLE events ADD COLUMN note text') WHERE rule = 'citus-ddl-fans-out'"),
	qr/about 5000 rows, 4 shards/, 'it names the rows and the shards');
unlike(lint(q{SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL lock_timeout = '2s'; ALTER TABLE events ADD COLUMN note text}),
	qr/citus-ddl-fans-out/, 'with lock_timeout propagated to the workers: quiet');
unlike(lint('ALTER TABLE addresses ADD COLUMN note text'),
	qr/citus-ddl-fans-out/, 'on an empty distributed table: quiet');
unlike(lint('ALTER TABLE plain ADD COLUMN note text'),
	qr/citus-ddl-fans-out/, 'on a plain table: quiet');

# citus-reference-table-after-parallel-ddl
like(lint(q{SET LOCAL lock_timeout = '2s'; ALTER TABLE addresses ADD COLUMN note text; ALTER TABLE countries ADD COLUMN note text}),
	qr/3:citus-reference-table-after-parallel-ddl/, 'referenced reference table changed after parallel DDL: found');
like(lint(q{ALTER TABLE addresses ADD COLUMN note text; INSERT INTO countries VALUES ('de', 'Germany')}),
	qr/2:citus-reference-table-after-parallel-ddl/, 'DML on it too: found');
unlike(lint(q{SET LOCAL citus.multi_shard_modify_mode TO 'sequential'; ALTER TABLE addresses ADD COLUMN note text; ALTER TABLE countries ADD COLUMN note text}),
	qr/citus-reference-table-after-parallel-ddl/, 'with citus.multi_shard_modify_mode sequential: quiet');
unlike(lint(q{ALTER TABLE countries ADD COLUMN note text; ALTER TABLE addresses ADD COLUMN note text}),
	qr/citus-reference-table-after-parallel-ddl/, 'the reference table first: quiet');
unlike(lint(q{ALTER TABLE addresses ADD COLUMN note text; ALTER TABLE countries ADD COLUMN note text}, transactional => 'false'),
	qr/citus-reference-table-after-parallel-ddl/, 'in two transactions: quiet');
like(fails(q{SET migrate.enforce = off; BEGIN; ALTER TABLE addresses ADD COLUMN note text; ALTER TABLE countries ADD COLUMN note text; COMMIT}),
	qr/parallel DDL access to distributed table/, '(Citus refuses it indeed)');

# create_distributed_table_concurrently cannot run in a transaction
like(lint(q{SELECT create_distributed_table_concurrently('plain', 'tenant_id')}),
	qr/1:concurrently-in-transaction/, 'create_distributed_table_concurrently in a transactional revision: found');
unlike(lint(q{SELECT create_distributed_table_concurrently('plain', 'tenant_id')}, transactional => 'false'),
	qr/concurrently-in-transaction/, 'in a non-transactional one: quiet');

# the rules decide at upgrade time, right before the statement
load(<<'REV');
-- migrate:revision c3
-- migrate:parents c2
-- migrate:message events.note

-- migrate:upgrade
ALTER TABLE events ADD COLUMN note text;

-- migrate:downgrade
ALTER TABLE events DROP COLUMN note;
REV
like(fails(q{SELECT * FROM migrate_upgrade('head')}),
	qr/upgrade stopped by safety rule "citus-ddl-fans-out"/, 'an upgrade with fan-out DDL on a large table is stopped');
sq(q{SELECT migrate_load($r$-- migrate:revision c3
-- migrate:parents c2
-- migrate:message events.note

-- migrate:upgrade
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL lock_timeout = '2s';
ALTER TABLE events ADD COLUMN note text;

-- migrate:downgrade
ALTER TABLE events DROP COLUMN note;
$r$)});
is(sq(q{SELECT string_agg(revision, ',') FROM migrate_upgrade('head')}), 'c3',
	'with lock_timeout propagated, it runs');
is(shards_with('events', q{SELECT count(*) FROM pg_attribute WHERE attrelid = '%s'::regclass AND attname = 'note'}),
	'4', 'and reaches all 4 shards');

# the downgrade that drops a populated distributed table is refused
like(fails(q{SELECT * FROM migrate_downgrade('base')}),
	qr/downgrade would drop data/, 'a downgrade dropping a populated distributed table is refused');

# the guard on the coordinator
like(fails(q{ALTER TABLE events ALTER COLUMN payload TYPE varchar(5)}),
	qr/changing-column-type/, 'the guard blocks a rewrite of a large distributed table');
like(fails(q{ALTER TABLE events ADD CONSTRAINT events_id UNIQUE (id)}),
	qr/citus-unique-without-distribution-column|adding-unique-constraint/,
	'and a unique constraint Citus would refuse');
is(fails(q{ALTER TABLE addresses ADD COLUMN note text}), '',
	'safe ad-hoc DDL on a distributed table runs');
like(sq(q{SELECT string_agg(command_tag || ' ' || object_identity, ', ') FROM migrate_drift() WHERE NOT acknowledged AND NOT blocked}),
	qr/^ALTER TABLE public\.addresses$/, 'and is recorded once as drift, on the coordinator');
is($_->safe_psql('postgres', 'SELECT count(*) FROM migrate_drift()'), '0',
	'not on the workers')
  for ($w1, $w2);
sq(q{SELECT migrate_drift_ack(note => 'test')});

# migrate_impact: one table, with its shards' rows and size
my $impact = sq(q{SELECT detail || '|' || rows || '|' || (size > 0) FROM migrate_impact('public.events') WHERE depth = 0});
is($impact, 'Citus table distributed by tenant_id over 4 shards|5000|true',
	'migrate_impact: a distributed table is one table, with its shards\' rows and size');
like(sq(q{SELECT detail FROM migrate_impact('public.countries') WHERE depth = 0}),
	qr/reference table/, 'a reference table says so');
is(sq(q{SELECT count(*) FROM migrate_impact('public') WHERE object ~ '_[0-9]{6}'}), '0',
	'no shard appears among the schema\'s dependents');
is(sq($show . q{SELECT count(*) FROM migrate_impact('public') WHERE object ~ '_[0-9]{6}'}), '0',
	'not even in a session that shows the shards');

# CALL migrate_apply runs create_distributed_table_concurrently
load(<<'REV');
-- migrate:revision c4
-- migrate:parents c3
-- migrate:message orders

-- migrate:upgrade
CREATE TABLE orders (tenant_id bigint NOT NULL, id bigint NOT NULL, total numeric,
                     PRIMARY KEY (tenant_id, id));
INSERT INTO orders SELECT i % 7, i, i FROM generate_series(1, 2000) i;

-- migrate:downgrade
DROP TABLE orders;
REV
load(<<'REV');
-- migrate:revision c5
-- migrate:parents c4
-- migrate:transactional false
-- migrate:message distribute orders without blocking writes

-- migrate:upgrade
SELECT create_distributed_table_concurrently('orders', 'tenant_id');

-- migrate:downgrade
SELECT undistribute_table('orders');
REV
my ($rc, $out, $err) = $co->psql('postgres', q{CALL migrate_apply('head')});
is($rc, 0, 'CALL migrate_apply runs create_distributed_table_concurrently') or diag($err);
is(sq(q{SELECT partmethod FROM pg_dist_partition WHERE logicalrelid = 'orders'::regclass}),
	'h', 'orders is distributed');
is(sq('SELECT count(*) FROM orders'), '2000', 'with its rows');
is(sq(q{SELECT string_agg(revision, ',') FROM migrate_current()}), 'c5', 'c5 is current');
is(sq(q{SELECT count(*) FROM migrate_check()}), '0', 'no drift, nothing pending');
($rc, $out, $err) = $co->psql('postgres', q{CALL migrate_unapply('c4')});
is($rc, 0, 'CALL migrate_unapply undistributes it') or diag($err);
is(sq(q{SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = 'orders'::regclass}),
	'0', 'orders is a plain table again');

$_->stop for reverse @nodes;
done_testing();
