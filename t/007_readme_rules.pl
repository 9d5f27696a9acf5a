
# The rule reference in README.md is the output of the query it shows, run
# against the installed extension: a rule added, renamed or reworded in the
# rule table (src/analysis/lint_rules.c) without regenerating the README fails here.

use strict;
use warnings;

use File::Basename qw(dirname);
use FindBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

if (!$ENV{PG_REGRESS})
{
	my $pgxs = `pg_config --pgxs`;
	chomp $pgxs;
	$ENV{PG_REGRESS} = dirname($pgxs) . '/../test/regress/pg_regress';
}

my $readme = "$FindBin::RealBin/../README.md";
ok(-r $readme, 'README.md is readable') or BAIL_OUT("no $readme");
my @documented = grep { /^\| `[a-z-]+` \| (error|warning|info|escalate|off)/ }
  split /\n/, slurp_file($readme);

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION migrate');
my @actual = split /\n/, $node->safe_psql(
	'postgres', q{
SELECT format('| `%s` | %s%s | %s | %s | %s |', rule, default_severity,
              CASE WHEN catalog_aware THEN ', catalogs' ELSE '' END,
              catches, why, alternative)
  FROM migrate_rules()});

is(scalar(@documented), scalar(@actual), 'README documents as many rules as migrate_rules() lists');
is_deeply(\@documented, \@actual, 'README rule reference matches migrate_rules()');

$node->stop;
done_testing();
