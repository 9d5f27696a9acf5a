
# migrate_diff round trips over generated schema pairs: for each pair of
# random schemas A (populated) and B, the generated upgrade, run statement
# by statement, makes the fingerprint of the managed schema equal to B's
# and leaves no difference; the downgrade, run in reverse, gives A's
# fingerprint back.  The schemas are drawn from a pool of object kinds
# (tables, columns of several types, NOT NULL, defaults, identity, checks,
# unique and primary keys, foreign keys, indexes, an enum, a view, a
# materialized view, a sequence, a function, a trigger, comments, a
# policy, storage options, a statistics object, privileges and owners, a
# composite and a range type, a partitioned table and its partitions),
# each present or not and in one of several definitions.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $pairs = $ENV{MIGRATE_DIFF_PAIRS} // 200;
srand($ENV{MIGRATE_DIFF_SEED} // 20261204);

my $node = PostgreSQL::Test::Cluster->new('diffrt');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE rt');
$node->safe_psql('rt', 'CREATE EXTENSION migrate');
# (the owner reads what foreign keys check)
$node->safe_psql('rt', 'CREATE ROLE regress_rt_reader; CREATE ROLE regress_rt_owner SUPERUSER');

sub pick { return $_[ int(rand(@_)) ]; }
sub maybe { return rand() < ($_[0] // 0.5); }

# one random schema: its DDL, and the rows to put in it when it is the original
sub schema
{
	my (@ddl, @data);
	my @labels = grep { maybe(0.7) } qw(a b c d);
	@labels = ('a') unless @labels;
	@labels = reverse @labels if maybe(0.1);
	push @ddl, "CREATE TYPE app.kind AS ENUM (" . join(', ', map {"'$_'"} @labels) . ")"
	  if maybe(0.8);
	my $has_kind = @ddl > 0;
	push @ddl, "CREATE SEQUENCE app.counter INCREMENT BY " . pick(1, 2, 5) if maybe(0.6);
	push @ddl, "CREATE FUNCTION app.score(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT x * "
	  . pick(2, 3) . "'" if maybe(0.6);

	my %tables;
	for my $t (qw(t1 t2 t3))
	{
		next unless $t eq 't1' || maybe(0.7);
		my @cols = ("id integer " . ($t eq 't1' ? pick('PRIMARY KEY', 'GENERATED ALWAYS AS IDENTITY PRIMARY KEY') :
				pick('PRIMARY KEY', 'NOT NULL', 'GENERATED ALWAYS AS IDENTITY PRIMARY KEY')));
		my $identity = $cols[0] =~ /IDENTITY/;
		my %types;
		for my $c (qw(a b c))
		{
			next unless maybe(0.7);
			my $type = $c eq 'c' ? pick('text', 'varchar(20)') :
			  pick('integer', 'bigint', 'numeric(10,2)', 'numeric(12,2)');
			$types{$c} = $type;
			my $col = "$c $type";
			my $default = $type =~ /int|numeric/ ? pick('0', '1') : pick("'x'", "'y'");
			$col .= " DEFAULT $default" if $c ne 'c' && maybe(0.4);
			$col .= " NOT NULL DEFAULT $default" if $c ne 'c' && $col !~ /DEFAULT/ && maybe(0.3);
			push @cols, $col;
		}
		push @cols, "k app.kind" if $has_kind && maybe(0.5);
		push @cols, "ref integer" if $t ne 't1' && maybe(0.6);
		$tables{$t} = { types => \%types, identity => $identity, ref => (grep {/^ref/} @cols) ? 1 : 0 };
		push @ddl, "CREATE " . ($t eq 't3' && !$tables{$t}{ref} && maybe(0.2) ? 'UNLOGGED ' : '') . "TABLE app.$t (" . join(', ', @cols) . ")";
		push @ddl, "ALTER TABLE app.$t ADD CONSTRAINT ${t}_a_check CHECK (a IS NOT NULL OR id "
		  . pick('>', '>=') . " 0)" . (maybe(0.3) ? ' NOT VALID' : '')
		  if exists $types{a} && maybe(0.4);
		push @ddl, "CREATE INDEX ${t}_b_idx ON app.$t (b" . (maybe(0.3) ? ', id' : '') . ")"
		  . (maybe(0.3) ? ' WHERE b IS NOT NULL' : '') if exists $types{b} && maybe(0.5);
		push @ddl, "CREATE UNIQUE INDEX ${t}_id_expr ON app.$t ((id * " . pick(1, 2) . "))" if maybe(0.3);
		push @ddl, "ALTER TABLE app.$t ADD CONSTRAINT ${t}_c_key UNIQUE (c)" if exists $types{c} && maybe(0.3);
		push @ddl, "COMMENT ON TABLE app.$t IS '" . pick('first', 'second') . "'" if maybe(0.3);
		push @ddl, "COMMENT ON COLUMN app.$t.id IS 'key'" if maybe(0.2);
		my $rows = join(', ', map { my $i = $_; '(' . join(', ',
			($identity ? () : ($i)),
			(map { $types{$_} =~ /int|numeric/ ? $i : "'v$i'" } sort keys %types),
			($tables{$t}{ref} ? (1) : ())) . ')' } 1 .. 3);
		my $collist = join(', ', ($identity ? () : ('id')), (sort keys %types), ($tables{$t}{ref} ? ('ref') : ()));
		push @data, "INSERT INTO app.$t ($collist) VALUES $rows" if $collist ne '';
	}
	for my $t (qw(t2 t3))
	{
		next unless $tables{$t} && $tables{$t}{ref} && maybe(0.6);
		push @ddl, "ALTER TABLE app.$t ADD CONSTRAINT ${t}_ref_fk FOREIGN KEY (ref) REFERENCES app.t1 (id)"
		  . (maybe(0.3) ? ' NOT VALID' : '');
	}
	push @ddl, "CREATE VIEW app.v1 AS SELECT id FROM app.t1 WHERE id > " . pick(0, 1, 2) if maybe(0.5);
	push @ddl, "CREATE MATERIALIZED VIEW app.m1 AS SELECT count(*) AS n FROM app.t1 WHERE id > " . pick(0, 1)
	  if maybe(0.3);
	if (maybe(0.4))
	{
		push @ddl, "CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN RETURN NEW; END\$\$";
		push @ddl, "CREATE TRIGGER t1_touch BEFORE " . pick('INSERT', 'UPDATE') . " ON app.t1 FOR EACH ROW EXECUTE FUNCTION app.touch()";
	}
	push @ddl, "CREATE POLICY t1_read ON app.t1 FOR SELECT TO PUBLIC USING (id > " . pick(0, 1) . ")" if maybe(0.3);
	push @ddl, "ALTER TABLE app.t1 ENABLE ROW LEVEL SECURITY" if maybe(0.2);
	# storage options, statistics, privileges and owners
	push @ddl, "ALTER TABLE app.t1 SET (fillfactor = " . pick(70, 90) . ")" if maybe(0.3);
	push @ddl, "CREATE STATISTICS app.t1_stats (" . pick('ndistinct', 'dependencies') . ") ON id, a FROM app.t1"
	  if exists $tables{t1}{types}{a} && maybe(0.3);
	push @ddl, "GRANT " . pick('SELECT', 'SELECT, INSERT') . " ON app.t1 TO regress_rt_reader" if maybe(0.4);
	push @ddl, "GRANT SELECT (id) ON app.t2 TO regress_rt_reader" if $tables{t2} && maybe(0.2);
	# (the schema keeps the live one's privileges unless the script says otherwise)
	push @ddl, maybe(0.3) ? "GRANT USAGE ON SCHEMA app TO regress_rt_reader" : "REVOKE USAGE ON SCHEMA app FROM regress_rt_reader";
	push @ddl, "ALTER TABLE app.t1 OWNER TO regress_rt_owner" if maybe(0.2);
	push @ddl, "ALTER FUNCTION app.score(integer) OWNER TO regress_rt_owner"
	  if (grep {/app\.score/} @ddl) && maybe(0.3);
	# composite and range types, a partitioned table
	push @ddl, "CREATE TYPE app.pair AS (" . pick('x integer, y text', 'x bigint, y text, z date', 'x integer') . ")"
	  if maybe(0.4);
	push @ddl, "CREATE TYPE app.span AS RANGE (subtype = " . pick('integer', 'numeric') . ")" if maybe(0.3);
	if (maybe(0.4))
	{
		push @ddl, "CREATE TABLE app.p (id integer, at date NOT NULL) PARTITION BY RANGE (at)";
		push @ddl, "CREATE TABLE app.p2024 PARTITION OF app.p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
		  if maybe(0.7);
		push @ddl, "CREATE TABLE app.p2025 PARTITION OF app.p FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"
		  if maybe(0.5);
		push @ddl, "CREATE INDEX p_at ON app.p (at)" if maybe(0.3);
	}
	return (join(";\n", @ddl) . ";\n", join(";\n", @data) . (@data ? ";\n" : ''));
}

sub dollar { my ($s) = @_; return "\$ddl\$$s\$ddl\$"; }

my $script = <<'EOT';
\set ON_ERROR_STOP 0
SET client_min_messages = error;
SET migrate.enforce = off;
CREATE SCHEMA app;
INSERT INTO migrate.managed_schema (name) VALUES ('app');
CREATE FUNCTION pg_temp.reset(script text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	DROP SCHEMA IF EXISTS app CASCADE;
	CREATE SCHEMA app;
	EXECUTE script;
END
$$;
EOT
for my $i (1 .. $pairs)
{
	my ($a_ddl, $a_data) = schema();
	my ($b_ddl) = schema();
	my $desired = dollar($b_ddl);
	$script .= <<"EOT";
\\echo PAIR $i
SELECT pg_temp.reset($desired);
SELECT migrate_fingerprint() AS fp_b \\gset
SELECT pg_temp.reset(@{[dollar($a_ddl . $a_data)]});
SELECT migrate_fingerprint() AS fp_a \\gset
DROP TABLE IF EXISTS d;
CREATE TABLE d AS SELECT * FROM migrate_diff($desired);
\\o /dev/null
SELECT upgrade FROM d ORDER BY ordinal \\gexec
\\o
SELECT 'RESULT $i up ' || (migrate_fingerprint() = :'fp_b') || ' left ' || (SELECT count(*) FROM migrate_diff($desired)) || ' rows ' || (SELECT count(*) FROM d);
\\o /dev/null
SELECT downgrade FROM d WHERE downgrade IS NOT NULL ORDER BY ordinal DESC \\gexec
\\o
SELECT 'RESULT $i down ' || (migrate_fingerprint() = :'fp_a');
EOT
}

if ($ENV{MIGRATE_DIFF_DUMP})
{
	open my $fh, '>', $ENV{MIGRATE_DIFF_DUMP} or die;
	print $fh $script;
	close $fh;
}
my ($out, $err) = ('', '');
IPC::Run::run([ 'psql', '-X', '-A', '-t', '-h', $node->host, '-p', $node->port, '-d', 'rt' ],
	'<', \$script, '>', \$out, '2>', \$err);

my (%up, %left, %down, %rows);
for (split /\n/, $out)
{
	$up{$1} = $2, $left{$1} = $3, $rows{$1} = $4 if /^RESULT (\d+) up (\w+) left (\d+) rows (\d+)/;
	$down{$1} = $2 if /^RESULT (\d+) down (\w+)/;
}
my ($ok_up, $ok_down, $changes) = (0, 0, 0);
for my $i (1 .. $pairs)
{
	$ok_up++ if ($up{$i} // '') eq 'true' && ($left{$i} // -1) == 0;
	$ok_down++ if ($down{$i} // '') eq 'true';
	$changes += $rows{$i} // 0;
}
diag("$pairs pairs, $changes changes: $ok_up upgrades reach the desired schema, $ok_down downgrades restore the original");
note($err) if $ok_up < $pairs || $ok_down < $pairs;
is($ok_up, $pairs, 'every upgrade makes the fingerprint equal to the desired schema\'s, with no difference left');
is($ok_down, $pairs, 'every downgrade gives the original fingerprint back');

done_testing();
