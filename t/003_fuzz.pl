
# Fuzzing migrate's SQL functions: a few thousand random and mutated
# revision files, revision SQL and targets (test/fuzz/fuzz.sql).  Every
# call must end in success or a clean error: no backend crash ("terminated
# by signal" in the server log) and no internal error (SQLSTATE XX000).
# test/fuzz/long.sh runs the same driver for as long as you like.

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

my $driver = dirname(__FILE__) . '/../test/fuzz/fuzz.sql';
my $node = PostgreSQL::Test::Cluster->new('fuzz');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION migrate');
$node->safe_psql('postgres', slurp_file($driver));

my $cases = 0;
for my $seed (0.11, 0.22, 0.33, 0.44, 0.55)
{
	my ($ret, $out, $err) = $node->psql('postgres',
		"BEGIN; SELECT sqlstate || ' ' || calls FROM migrate_fuzz($seed, 800); COMMIT;");
	is($ret, 0, "seed $seed: the driver ran to the end");
	unlike($out, qr/^XX/m, "seed $seed: no internal error");
	$cases += $1 while $out =~ /^\S+ (\d+)$/mg;
}
is($cases, 4000, '4000 calls made');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server is up');

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|server process .* was terminated/,
	'no backend crashed');

$node->stop;
done_testing();
