
# pg_migrate import: a small real-looking folder of each tool (dbmate,
# golang-migrate, Flyway, Sqitch, in test/client/) becomes revision files
# with ids from the source versions, in the source's order, Sqitch's
# [requires] as depends-on, and CONCURRENTLY steps non-transactional; each
# imported folder upgrades a fresh database to head and back to base.

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

my $sources = dirname(__FILE__) . '/../test/client';
my $node = PostgreSQL::Test::Cluster->new('import');
$node->init;
$node->start;
my $tempdir = PostgreSQL::Test::Utils::tempdir;

# The headers of the imported files, in name order: "id<parents>[deps]"
# with "!" for a non-transactional revision.
sub headers
{
	my ($dir) = @_;
	my @out;
	for my $f (sort glob("$dir/*.sql"))
	{
		my $text = slurp_file($f);
		my ($id) = $text =~ /^-- migrate:revision (\S+)$/m;
		my ($parents) = $text =~ /^-- migrate:parents (.+)$/m;
		my ($deps) = $text =~ /^-- migrate:depends-on (.+)$/m;
		my $nt = $text =~ /^-- migrate:transactional false$/m ? '!' : '';
		push @out, $id . '<' . ($parents // '') . '>' . ($deps ? "[$deps]" : '') . $nt;
	}
	return join(' ', @out);
}

my %expected = (
	dbmate => '20230105093000<> 20230112141500<20230105093000> '
	  . '20230201080000<20230112141500>! 20230215120000<20230201080000>',
	'golang-migrate' => '000001<> 000002<000001> 000003<000002> 000010<000003>!',
	flyway => 'V1<> V1.1<V1> V2<V1.1> V10<V2>!',
	sqitch => 'appschema<> users<appschema> flips<users>[appschema] '
	  . 'userflips<flips>[appschema users]',);
my %tables = (
	dbmate           => 'posts,users',
	'golang-migrate' => 'accounts',
	flyway           => 'products,stock',
	sqitch           => 'flips,users',);

for my $format (qw(dbmate golang-migrate flyway sqitch))
{
	my $dir = "$tempdir/$format";
	(my $db = $format) =~ s/-/_/g;

	$node->command_checks_all([ 'pg_migrate', '-D', $dir, 'import', $format, "$sources/$format" ],
		0, [qr/imported 4 revisions/], [qr/^(|.*warning: skipping repeatable migration.*\n)$/],
		"import $format");
	is(headers($dir), $expected{$format}, "$format: ids, order, parents, dependencies, flags");
	unlike(join('', map { slurp_file($_) } glob("$dir/*.sql")),
		qr/^\s*(BEGIN|COMMIT);/mi, "$format: no transaction control left");

	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION migrate');
	$node->command_like([ 'pg_migrate', '-d', $db, '-D', $dir, 'upgrade' ],
		qr/upgraded 4 revisions to "head"/, "$format: upgrade to head");
	is( $node->safe_psql($db,
			"SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relkind = 'r'"
			  . " AND relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname IN ('public', 'flipr'))"),
		$tables{$format}, "$format: the tables are there");
	is( $node->safe_psql($db,
			"SELECT count(*) FROM pg_index WHERE NOT indisvalid"),
		'0', "$format: every index is valid");
	$node->command_like([ 'pg_migrate', '-d', $db, '-D', $dir, 'downgrade', 'base' ],
		qr/downgraded 4 revisions to "base"/, "$format: downgrade to base");
	$node->command_like([ 'pg_migrate', '-d', $db, '-D', $dir, 'upgrade' ],
		qr/upgraded 4 revisions/, "$format: and up again");
}

# Flyway: the repeatable migration is skipped with a warning
$node->command_checks_all(
	[ 'pg_migrate', '-D', "$tempdir/flyway2", 'import', 'flyway', "$sources/flyway" ],
	0, [qr/imported 4 revisions/],
	[qr/warning: skipping repeatable migration ".*R__refresh_views\.sql"/],
	'a repeatable Flyway migration is skipped with a warning');

# refusals
$node->command_fails_like([ 'pg_migrate', '-D', "$tempdir/dbmate", 'import', 'dbmate', "$sources/dbmate" ],
	qr/directory ".*dbmate" is not empty/, 'import refuses a non-empty folder');
$node->command_checks_all([ 'pg_migrate', '-D', "$tempdir/x", 'import', 'liquibase', "$sources/dbmate" ],
	2, [qr/^$/], [qr/unrecognized import format "liquibase"/], 'unknown format');
$node->command_fails_like([ 'pg_migrate', '-D', "$tempdir/x", 'import', 'dbmate', "$tempdir/nosuch" ],
	qr/directory ".*nosuch" does not exist/, 'missing source');
mkdir "$tempdir/empty";
$node->command_fails_like([ 'pg_migrate', '-D', "$tempdir/x", 'import', 'flyway', "$tempdir/empty" ],
	qr/no migrations found/, 'empty source');

# a Sqitch change that requires one not planned before it
mkdir "$tempdir/badsqitch";
open my $fh, '>', "$tempdir/badsqitch/sqitch.plan" or die;
print $fh "%project=x\n\nfirst [later] 2023-01-01T00:00:00Z A <a\@b.c> # needs later\n";
close $fh;
$node->command_fails_like([ 'pg_migrate', '-D', "$tempdir/y", 'import', 'sqitch', "$tempdir/badsqitch" ],
	qr/change "first" requires "later", which is not earlier/, 'sqitch: unknown requirement');

# A crafted Sqitch plan cannot make the importer read a file outside the
# project folder: change names with ".." or a leading "/", and tags with
# "/", are refused before any script is read, and nothing is written.
# A "/" between folder names is a valid Sqitch change name and works.
my $secret = "$tempdir/secret.sql";
open $fh, '>', $secret or die;
print $fh "SELECT 'secret text outside the project';\n";
close $fh;
my $plan_line = '2023-01-01T00:00:00Z A <a@b.c> # note';
my %crafted = (
	'a change name going up'            => "../../secret $plan_line\n",
	'".." between folder names'         => "ok/../../../secret $plan_line\n",
	'an absolute change name'           => "$tempdir/secret $plan_line\n",
	'a backslash'                       => "..\\..\\secret $plan_line\n",
	'an empty folder name'              => "a//b $plan_line\n",
	'a tag with a slash, to a reworked change' =>
	  "first $plan_line\n\@v1/../../../../secret $plan_line\nfirst $plan_line\n",);
my $n = 0;
for my $case (sort keys %crafted)
{
	my $src = "$tempdir/crafted" . ++$n;
	mkdir $src;
	mkdir "$src/deploy";
	open $fh, '>', "$src/sqitch.plan" or die;
	print $fh "%project=x\n\n$crafted{$case}";
	close $fh;
	# a script the plan may name legitimately
	open $fh, '>', "$src/deploy/first.sql" or die;
	print $fh "CREATE TABLE first ();\n";
	close $fh;
	my ($stdout, $stderr);
	my $ok = IPC::Run::run [ 'pg_migrate', '-D', "$tempdir/crafted_out$n", 'import', 'sqitch', $src ],
	  '>', \$stdout, '2>', \$stderr;
	ok(!$ok, "sqitch: $case is refused");
	like($stderr, qr/(change|tag) ".*" at line \d+ of ".*sqitch\.plan" would name scripts outside the project folder/,
		"sqitch: $case: the error names the plan line");
	unlike($stdout . $stderr, qr/secret text/, "sqitch: $case: the outside file is not shown");
	ok(!-e "$tempdir/crafted_out$n", "sqitch: $case: nothing is written");
}

# a change in a subfolder of deploy/ is fine
mkdir "$tempdir/subfolder";
mkdir "$tempdir/subfolder/deploy";
mkdir "$tempdir/subfolder/deploy/schemas";
open $fh, '>', "$tempdir/subfolder/sqitch.plan" or die;
print $fh "%project=x\n\nschemas/app $plan_line\n";
close $fh;
open $fh, '>', "$tempdir/subfolder/deploy/schemas/app.sql" or die;
print $fh "CREATE SCHEMA app;\n";
close $fh;
$node->command_like([ 'pg_migrate', '-D', "$tempdir/subfolder_out", 'import', 'sqitch', "$tempdir/subfolder" ],
	qr/imported 1 revision from/, 'sqitch: a change name with a folder is imported');
like(join('', map { slurp_file($_) } glob("$tempdir/subfolder_out/*.sql")),
	qr/^-- migrate:revision schemas_app\n(.|\n)*CREATE SCHEMA app;/m,
	'sqitch: its script is read from the subfolder');

$node->stop;
done_testing();
