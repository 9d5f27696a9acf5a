
# pg_migrate import alembic and adopt alembic, against the real Alembic
# (Debian's python3-alembic, with python3-psycopg2 for its online runs):
# a project made with "alembic init" and hand-written revision files
# (two branches from a branch point, a merge, a second root with
# branch_labels, depends_on by label and by id, create_table, add_column,
# execute of a PL/pgSQL function, CREATE INDEX CONCURRENTLY in an
# autocommit block), its offline scripts written by Alembic itself, then:
#
# - the import keeps ids, parents, labels and dependencies;
# - the imported folder upgrades an empty database to the schema Alembic's
#   own online "upgrade heads" makes (pg_dump -s), down to base and up;
# - "<label>@+1" from a branch point another branch went past names the
#   same revision in both tools;
# - a database Alembic migrated halfway is adopted: after "adopt alembic",
#   "upgrade heads" runs only what Alembic had not, and the schema is
#   Alembic's.

use strict;
use warnings;

use Cwd qw(getcwd);
use File::Basename qw(dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# Lint findings (notices at load) are the subject of other suites.
$ENV{PGOPTIONS} = "-c client_min_messages=warning";

my $python = '/usr/bin/python3';
my $alembic_version;
if (-x $python)
{
	$alembic_version =
	  `$python -c 'import alembic, psycopg2; print(alembic.__version__)' 2>/dev/null`;
	chomp $alembic_version if defined $alembic_version;
}
if (!$alembic_version)
{
	plan skip_all =>
	  'Alembic is not installed (Debian packages python3-alembic and python3-psycopg2; '
	  . 'test/check.sh installs them when apt can)';
}
note "Alembic $alembic_version";

if (!$ENV{PG_REGRESS})
{
	my $pgxs = `pg_config --pgxs`;
	chomp $pgxs;
	$ENV{PG_REGRESS} = dirname($pgxs) . '/../test/regress/pg_regress';
}

my $node = PostgreSQL::Test::Cluster->new('alembic');
$node->init;
$node->start;
my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $proj = "$tempdir/project";
my $dir = "$tempdir/migrations";
mkdir $proj or die;

# Run Alembic in the project against database $db; returns its stdout,
# fails the test on an error.
sub alembic
{
	my ($db, @args) = @_;
	my ($out, $err);
	local $ENV{ALEMBIC_TEST_URL} =
	  'postgresql:///' . $db . '?host=' . $node->host . '&port=' . $node->port;
	my $cwd = getcwd();
	chdir $proj or die;
	my $ok = IPC::Run::run [ $python, '-m', 'alembic', @args ], '>', \$out, '2>', \$err;
	chdir $cwd or die;
	ok($ok, "alembic @args ($db)") or diag($err);
	return $out;
}

# pg_migrate with DIR; returns [ok, stdout, stderr].
sub pg_migrate
{
	my ($db, @args) = @_;
	my ($out, $err);
	my $ok = IPC::Run::run [
		'pg_migrate', '-h', $node->host, '-p', $node->port, '-d', $db, '-D', $dir, @args ],
	  '>', \$out, '2>', \$err;
	return [ $ok, $out, $err ];
}

# The schema as pg_dump -s prints it, without Alembic's version table,
# migrate's extension, comments and settings.
sub schema
{
	my ($db) = @_;
	my $dump = `pg_dump -s --no-owner --no-privileges -T alembic_version -h @{[ $node->host ]} -p @{[ $node->port ]} $db`;
	die "pg_dump $db failed" if $?;
	return join "\n", grep { !/^(--|\\(un)?restrict |SET |SELECT pg_catalog\.set_config|CREATE EXTENSION|COMMENT ON EXTENSION|$)/ }
	  split /\n/, $dump;
}

# Alembic's version rows, sorted.
sub version_rows
{
	my ($db) = @_;
	return join ' ', sort split /\n/,
	  $node->safe_psql($db, 'SELECT version_num FROM alembic_version');
}

sub migrate_current
{
	my ($db) = @_;
	return join ' ', sort split /\n/, $node->safe_psql($db, 'SELECT revision FROM migrate_current()');
}

sub write_file
{
	my ($path, $text) = @_;
	open my $fh, '>', $path or die "$path: $!";
	print $fh $text;
	close $fh;
}

# The project: "alembic init", env.py pointed at the test cluster.
alembic('postgres', 'init', 'alembic');
my $env = slurp_file("$proj/alembic/env.py");
$env =~ s/^(config = context\.config)$/$1\nimport os\nconfig.set_main_option("sqlalchemy.url", os.environ["ALEMBIC_TEST_URL"])/m
  or die "env.py has no 'config = context.config' line";
write_file("$proj/alembic/env.py", $env);

# The revision files, as "alembic revision" writes them, the bodies by hand.
#
#   aaaa1 - bbbb2 -+- cccc3 (billing) - cccc4 -+- eeee6 (merge) - gggg9
#                  +- dddd5 (audit) -----------+
#   ffff7 (reports, depends on billing) - ffff8 (depends on dddd5)
my %revisions = (
	aaaa00000001 => [
		'create accounts', 'None', 'None', 'None', <<'EOF', "op.drop_table('accounts')"],
op.create_table('accounts',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('name', sa.String(50), nullable=False))
EOF
	bbbb00000002 => [
		'add accounts.email', "'aaaa00000001'", 'None', 'None',
		"op.add_column('accounts', sa.Column('email', sa.Text))",
		"op.drop_column('accounts', 'email')"
	],
	cccc00000003 => [
		'invoices', "'bbbb00000002'", "('billing',)", 'None', <<'EOF', "op.drop_table('invoices')"],
op.create_table('invoices',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('account_id', sa.Integer, sa.ForeignKey('accounts.id')),
        sa.Column('total', sa.Numeric(10, 2)))
EOF
	cccc00000004 => [
		'invoices.paid', "'cccc00000003'", 'None', 'None', <<'EOF', "op.drop_column('invoices', 'paid')"],
op.add_column('invoices', sa.Column('paid', sa.Boolean, server_default=sa.text('false')))
    op.execute("UPDATE invoices SET paid = true WHERE total = 0")
EOF
	dddd00000005 => [
		'audit log', "'bbbb00000002'", "'audit'", 'None', <<'EOF', <<'EOF'],
op.create_table('audit_log', sa.Column('id', sa.BigInteger, primary_key=True), sa.Column('what', sa.Text))
    op.execute("""
CREATE FUNCTION audit_note(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (what) VALUES (t);
END;
$$
""")
EOF
op.execute("DROP FUNCTION audit_note(text)")
    op.drop_table('audit_log')
EOF
	eeee00000006 => [
		'merge billing and audit', "('cccc00000004', 'dddd00000005')", 'None', 'None',
		"op.create_index('ix_invoices_account', 'invoices', ['account_id'])",
		"op.drop_index('ix_invoices_account', 'invoices')"
	],
	ffff00000007 => [
		'reports', 'None', "('reports',)", "'billing'",
		"op.execute('CREATE VIEW unpaid AS SELECT id, total FROM invoices WHERE total > 0')",
		"op.execute('DROP VIEW unpaid')"
	],
	ffff00000008 => [
		'report schema', "'ffff00000007'", 'None', "['dddd00000005']", <<'EOF', <<'EOF'],
op.execute('CREATE SCHEMA rep')
    op.create_table('daily', sa.Column('day', sa.Date, primary_key=True), schema='rep')
EOF
op.drop_table('daily', schema='rep')
    op.execute('DROP SCHEMA rep')
EOF
	gggg00000009 => [
		'index accounts.email concurrently', "'eeee00000006'", 'None', 'None', <<'EOF', <<'EOF'],
with op.get_context().autocommit_block():
        op.create_index('ix_accounts_email', 'accounts', ['email'], postgresql_concurrently=True)
EOF
with op.get_context().autocommit_block():
        op.drop_index('ix_accounts_email', 'accounts', postgresql_concurrently=True)
EOF
);
for my $id (sort keys %revisions)
{
	my ($message, $down, $labels, $deps, $up, $downgrade) = @{ $revisions{$id} };
	chomp $up;
	chomp $downgrade;
	# the annotated form of newer Alembic templates for one of them
	my $rev = $id eq 'bbbb00000002' ? "revision: str = \"$id\"" : "revision = '$id'";
	write_file("$proj/alembic/versions/${id}_x.py", <<"EOF");
"""$message

Revision ID: $id
Revises:
Create Date: 2024-01-01 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
$rev
down_revision = $down
branch_labels = $labels
depends_on = $deps


def upgrade() -> None:
    $up


def downgrade() -> None:
    $downgrade
EOF
}

# The offline scripts, written by Alembic: the upgrade from base, and a
# downgrade to base from each head (Alembic 1.8 refuses "heads:base").
my $src = "$proj/alembic";
write_file("$src/upgrade.sql", alembic('postgres', 'upgrade', 'base:heads', '--sql'));
my @heads = map { /^(\S+)/ ? $1 : () } split /\n/, alembic('postgres', 'heads');
is(join(' ', sort @heads), 'ffff00000008 gggg00000009', 'Alembic sees two heads');
write_file("$src/downgrade-$_.sql", alembic('postgres', 'downgrade', "$_:base", '--sql'))
  for @heads;
like(slurp_file("$src/upgrade.sql"), qr/^-- Running upgrade cccc00000004, dddd00000005 -> eeee00000006$/m,
	'the upgrade script marks the merge');

# import
my $r = pg_migrate('postgres', 'import', 'alembic', $src);
ok($r->[0], 'import alembic') or diag($r->[2]);
like($r->[1], qr/imported 9 revisions from ".*" into ".*", 1 not transactional/, 'import: what it says');
is($r->[2], '', 'import: no warning');

my @headers;
my $all = '';
for my $f (sort glob("$dir/*.sql"))
{
	my $text = slurp_file($f);
	$all .= $text;
	my ($id) = $text =~ /^-- migrate:revision (\S+)$/m;
	my ($parents) = $text =~ /^-- migrate:parents (.+)$/m;
	my ($deps) = $text =~ /^-- migrate:depends-on (.+)$/m;
	my ($labels) = $text =~ /^-- migrate:branch-labels (.+)$/m;
	my $nt = $text =~ /^-- migrate:transactional false$/m ? '!' : '';
	push @headers,
	  $id . '<' . ($parents // '') . '>' . ($deps ? "[$deps]" : '') . ($labels ? "{$labels}" : '') . $nt;
}
is( join(' ', sort @headers),
	'aaaa00000001<> bbbb00000002<aaaa00000001> cccc00000003<bbbb00000002>{billing} '
	  . 'cccc00000004<cccc00000003> dddd00000005<bbbb00000002>{audit} '
	  . 'eeee00000006<cccc00000004 dddd00000005> ffff00000007<>[cccc00000003]{reports} '
	  . 'ffff00000008<ffff00000007>[dddd00000005] gggg00000009<eeee00000006>!',
	'import: ids, parents, merge, dependencies (a label resolved), labels, a non-transactional revision');
like($all, qr/^-- migrate:message merge billing and audit$/m, 'import: messages from the docstrings');
unlike($all, qr/alembic_version|^\s*(BEGIN|COMMIT);/mi, 'import: no bookkeeping, no transaction control left');
like($all, qr/^BEGIN\n    INSERT INTO audit_log/m, "import: a function body's BEGIN stays");
like($all, qr/-- migrate:downgrade\nDROP INDEX CONCURRENTLY ix_accounts_email;/, 'import: downgrades');

# the same schema as Alembic's own online run
$node->safe_psql('postgres', 'CREATE DATABASE by_alembic');
alembic('by_alembic', 'upgrade', 'heads');
is(version_rows('by_alembic'), 'ffff00000008 gggg00000009', 'Alembic upgraded to its heads');
$node->safe_psql('postgres', 'CREATE DATABASE by_migrate');
$node->safe_psql('by_migrate', 'CREATE EXTENSION migrate');
$r = pg_migrate('by_migrate', 'upgrade', 'heads');
ok($r->[0], 'pg_migrate upgrade heads') or diag($r->[2]);
like($r->[1], qr/upgraded 9 revisions to "heads"/, 'upgrade: all nine');
my $alembic_schema = schema('by_alembic');
like($alembic_schema, qr/CREATE TABLE rep\.daily/, 'the dump holds the schema');
is(schema('by_migrate'), $alembic_schema, 'pg_dump -s: the same schema as Alembic online');
$r = pg_migrate('by_migrate', 'downgrade', 'base');
ok($r->[0], 'pg_migrate downgrade base') or diag($r->[2]);
is(schema('by_migrate'), schema('postgres'), 'downgrade: back to an empty schema');
$r = pg_migrate('by_migrate', 'upgrade', 'heads');
ok($r->[0], 'pg_migrate upgrade heads again') or diag($r->[2]);
is(schema('by_migrate'), $alembic_schema, 'and up again: the same schema');

# "<label>@+1" where another branch went past the branch point: both walk
# from the branch point into the labelled branch
$node->safe_psql('postgres', 'CREATE DATABASE half');
alembic('half', 'upgrade', 'dddd00000005');
alembic('half', 'upgrade', 'billing@+1');
is(version_rows('half'), 'cccc00000003 dddd00000005', 'Alembic: billing@+1 from the audit branch');
$node->safe_psql('postgres', 'CREATE DATABASE half_migrate');
$node->safe_psql('half_migrate', 'CREATE EXTENSION migrate');
$r = pg_migrate('half_migrate', 'upgrade', 'dddd00000005');
ok($r->[0], 'pg_migrate upgrade dddd00000005') or diag($r->[2]);
$r = pg_migrate('half_migrate', 'upgrade', 'billing@+1');
ok($r->[0], 'pg_migrate upgrade billing@+1') or diag($r->[2]);
is(migrate_current('half_migrate'), 'cccc00000003 dddd00000005', 'migrate: the same revision');

# adoption of the database Alembic migrated halfway; ffff7 depends on
# cccc3, which then has no row of its own
alembic('half', 'upgrade', 'ffff00000007');
is(version_rows('half'), 'dddd00000005 ffff00000007', 'Alembic: cccc3 only implied by a dependency');
$node->safe_psql('half', 'CREATE EXTENSION migrate');
$r = pg_migrate('half', 'adopt', 'alembic');
ok($r->[0], 'adopt alembic') or diag($r->[2]);
like($r->[1], qr/^stamped ffff00000007/m, 'adopt: stamps what alembic_version lists');
is(migrate_current('half'), 'cccc00000003 dddd00000005 ffff00000007',
	'adopt: the applied set is what Alembic applied');
is( $node->safe_psql('half', 'SELECT count(*) FROM migrate_history() WHERE applied'),
	'5', 'adopt: five revisions applied');
$r = pg_migrate('half', 'upgrade', 'heads');
ok($r->[0], 'upgrade heads after adoption') or diag($r->[2]);
is( join(" ", sort map { /^upgraded (\w+),/ ? $1 : () } split /\n/, $r->[1]),
	'cccc00000004 eeee00000006 ffff00000008 gggg00000009',
	'upgrade heads runs only what Alembic had not applied');
is(schema('half'), $alembic_schema, 'adopted and upgraded: the schema Alembic makes');
is(version_rows('half'), 'dddd00000005 ffff00000007', 'the version table is left alone');

# adoption: base, another version table, refusals
$node->safe_psql('postgres', 'CREATE DATABASE at_base');
$node->safe_psql('at_base', 'CREATE EXTENSION migrate');
$node->safe_psql('at_base', 'CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)');
$r = pg_migrate('at_base', 'adopt', 'alembic');
ok($r->[0], 'adopt at base') or diag($r->[2]);
like($r->[1], qr/alembic_version is empty: nothing to stamp/, 'adopt at base: nothing stamped');
is(migrate_current('at_base'), '', 'adopt at base: nothing applied');
$node->safe_psql('at_base', 'CREATE SCHEMA "My Schema"; CREATE TABLE "My Schema".versions (version_num varchar(32)); '
	  . "INSERT INTO \"My Schema\".versions VALUES ('bbbb00000002')");
$r = pg_migrate('at_base', 'adopt', 'alembic', '"My Schema".versions');
ok($r->[0], 'adopt with another version table') or diag($r->[2]);
is(migrate_current('at_base'), 'bbbb00000002', 'adopt: stamped from that table');
$r = pg_migrate('at_base', 'adopt', 'alembic', 'nosuch');
ok(!$r->[0], 'adopt: a missing version table fails');
like($r->[2], qr/error: relation "nosuch" does not exist/, 'adopt: the error names it');
$r = pg_migrate('at_base', 'adopt', 'flyway');
like($r->[2], qr/cannot adopt a database migrated by "flyway"/, 'adopt: only alembic');

# import refusals
$r = pg_migrate('postgres', 'import', 'alembic', "$proj/alembic/versions");
like($r->[2], qr/there is no file ".*upgrade\.sql"\n.*hint: Write it with "alembic upgrade base:heads --sql/,
	'import: upgrade.sql is required');
my $stale = slurp_file("$src/versions/ffff00000008_x.py");
$stale =~ s/down_revision = 'ffff00000007'/down_revision = 'eeee00000006'/;
write_file("$src/versions/ffff00000008_x.py", $stale);
$dir = "$tempdir/stale";
$r = pg_migrate('postgres', 'import', 'alembic', $src);
like($r->[2], qr/disagree on the parents of revision ffff00000008/, 'import: a stale script is refused');
ok(!-e "$dir", 'import: nothing is written');

$node->stop;
done_testing();
