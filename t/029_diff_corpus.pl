
# migrate_diff round trips over schema pairs that nobody here wrote:
#
#  (a) PostgreSQL 15's own regression SQL (src/test/regress/sql/*.sql of
#      the Debian source package, downloaded from the archive apt uses and
#      cached): each file runs in a new database with search_path
#      regress, public (errors are part of those files); the schema it
#      leaves in "regress" is taken with pg_dump -s.  Pairs: empty -> each
#      schema, and each schema -> the next file's (in parallel_schedule
#      order).
#  (b) real migration histories (npm packages, converted into revision
#      files by test/histories/convert.js, as test/histories/run.sh does):
#      the schema at revision k+n desired, the live one at revision k, at
#      sample points, forwards and backwards.
#
# For each pair: the live schema A and the desired B are loaded from their
# dumps; migrate_diff(B) runs on A; its upgrade, statement by statement,
# must make the fingerprint equal to B's and leave no difference, and its
# downgrade, in reverse, give A's fingerprint back.  The linter judges
# each phase of the upgrade (against A) and of the downgrade (against B)
# as migrate_lint_revision does.  The test prints the counts and, for each
# pair that does not round-trip, why; it fails when fewer pairs round-trip
# than the floor below, or when the server crashed.  A corpus that cannot
# be obtained is skipped with the reason.
#
# Environment: MIGRATE_CORPUS_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/migrate-test), MIGRATE_CORPUS_FILES (the
# first this many regression files of the schedule; default 60, "all" for
# every one: about fifteen minutes), MIGRATE_CORPUS_REPORT (a file that
# receives the per-pair report).

use strict;
use warnings;

use File::Path qw(make_path remove_tree);
use FindBin;
use HTTP::Tiny;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $cache = $ENV{MIGRATE_CORPUS_CACHE}
  // (($ENV{XDG_CACHE_HOME} // "$ENV{HOME}/.cache") . '/migrate-test');
my $tree = "$FindBin::RealBin/..";
my $report = '';

my $node = PostgreSQL::Test::Cluster->new('corpus');
$node->init;
$node->append_conf('postgresql.conf', "max_locks_per_transaction = 256\nfsync = off\n");
$node->start;
my @conn = ('-X', '-h', $node->host, '-p', $node->port);

sub run_psql
{
	my ($db, $input, %opt) = @_;
	my ($out, $err) = ('', '');
	local $ENV{PGOPTIONS} = $opt{options} // '';
	eval {
		IPC::Run::run([ 'psql', @conn, '-q', '-A', '-t', '-d', $db ], '<', \$input,
			'>', \$out, '2>', \$err, IPC::Run::timeout($opt{timeout} // 600));
	};
	$err .= "\ntimeout" if $@;
	return ($out, $err);
}

sub dump_schema
{
	my ($db, $schema) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'pg_dump', '-h', $node->host, '-p', $node->port, '-s', '-n', $schema, $db ],
		'>', \$out, '2>', \$err);
	# psql meta-commands (\restrict), the schema itself (it exists), comments
	$out =~ s/^\\.*$//mg;
	$out =~ s/^CREATE SCHEMA \Q$schema\E;$//mg;
	$out =~ s/^COMMENT ON SCHEMA \Q$schema\E IS .*$//mg;
	$out =~ s/^--.*$//mg;
	$out =~ s/\n{2,}/\n/g;
	return $out =~ /^CREATE /m ? $out : '';
}

# ---- the round trip of one pair ----

$node->safe_psql('postgres', 'CREATE DATABASE rt');
$node->safe_psql('rt', 'CREATE EXTENSION migrate');

my $prelude = <<'EOT';
\set ON_ERROR_STOP 0
SET client_min_messages = error;
SET migrate.enforce = off;
SET check_function_bodies = off;
CREATE FUNCTION pg_temp.reset(s name, script text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', s);
	EXECUTE format('CREATE SCHEMA %I', s);
	EXECUTE script;
	PERFORM set_config('search_path', 'public', false);
END
$$;
-- the blocking findings of the linter on each phase (error, escalate), as
-- migrate_lint_revision gives them: the upgrade's phases in order, or the
-- downgrade's in reverse
CREATE FUNCTION pg_temp.lint(down boolean) RETURNS text LANGUAGE sql AS $$
	WITH p AS (SELECT d.phase, CASE WHEN down THEN -min(d.ordinal) ELSE min(d.ordinal) END AS o,
	                  bool_and(d.transactional) AS t,
	                  CASE WHEN down THEN string_agg(d.downgrade, E';\n' ORDER BY d.ordinal DESC)
	                       ELSE string_agg(d.upgrade, E';\n' ORDER BY d.ordinal) END AS u
	             FROM d WHERE NOT down OR d.downgrade IS NOT NULL GROUP BY d.phase)
	SELECT count(*) FILTER (WHERE l.severity = 'error') || ' ' ||
	       count(*) FILTER (WHERE l.severity = 'escalate') || ' ' ||
	       coalesce(string_agg(DISTINCT l.rule, ','), '')
	  FROM p, migrate_lint_revision(p.u, NULL, p.t, true,
	                                ARRAY(SELECT e.u FROM p e WHERE e.o < p.o ORDER BY e.o)) l
	 WHERE l.severity IN ('error', 'escalate')
$$;
EOT

sub dq { my ($s) = @_; return "\$corpus_ddl\$$s\$corpus_ddl\$"; }

# round_trip(schema, A, B): a hash of what happened
sub round_trip
{
	my ($schema, $a, $b) = @_;
	my ($qa, $qb, $qs) = (dq($a), dq($b), "'$schema'");
	my $script = $prelude . <<"EOT";
DELETE FROM migrate.managed_schema;
INSERT INTO migrate.managed_schema (name) VALUES ($qs);
\\warn \@\@load
SELECT pg_temp.reset($qs, $qb);
SELECT migrate_fingerprint() AS fp_b \\gset
SELECT pg_temp.reset($qs, $qa);
SELECT migrate_fingerprint() AS fp_a \\gset
\\warn \@\@diff
DROP TABLE IF EXISTS d;
CREATE TEMP TABLE d AS SELECT * FROM migrate_diff($qb, ARRAY[$qs]);
SELECT 'ROWS ' || count(*) || ' ' || coalesce(string_agg(DISTINCT kind, ','), '') FROM d;
SELECT 'LINTUP ' || pg_temp.lint(false);
\\warn \@\@up
\\o /dev/null
SELECT upgrade FROM d ORDER BY ordinal \\gexec
\\o
\\warn \@\@check
SELECT 'UP ' || (migrate_fingerprint() = :'fp_b');
SELECT 'LEFT ' || count(*) || ' ' || coalesce(string_agg(DISTINCT kind, ','), '') FROM migrate_diff($qb, ARRAY[$qs]);
SELECT 'LINTDOWN ' || pg_temp.lint(true);
\\warn \@\@down
\\o /dev/null
SELECT downgrade FROM d WHERE downgrade IS NOT NULL ORDER BY ordinal DESC \\gexec
\\o
\\warn \@\@end
SELECT 'DOWN ' || (migrate_fingerprint() = :'fp_a');
EOT
	my ($out, $err) = run_psql('rt', $script);
	my %r;
	$r{$1} = $2 while $out =~ /^(ROWS|LINTUP|UP|LEFT|LINTDOWN|DOWN) ?(.*)$/mg;
	my $section = '';
	for (split /\n/, $err)
	{
		if (/^\@\@(\w+)/) { $section = $1; next; }
		next unless /ERROR:\s*(.*)/ || /(timeout|server closed the connection.*)/;
		$r{"err_$section"} //= $1;
	}
	return \%r;
}

# the statements of a dump, sorted: to show what differs
sub statements { my %s = map { $_ => 1 } grep {/\S/} split /;\n/, $_[0]; return \%s; }

# Why the pair does not round-trip (or '' when it does).
sub verdict
{
	my ($r) = @_;
	return 'skipped: the live schema does not load: ' . $r->{err_load} if $r->{err_load};
	return 'migrate_diff fails: ' . ($r->{err_diff} // 'no result') if $r->{err_diff} || !defined $r->{ROWS};
	my @why;
	push @why, 'the upgrade fails: ' . $r->{err_up} if $r->{err_up};
	push @why, 'the upgrade leaves ' . $r->{LEFT} if ($r->{LEFT} // '') !~ /^0 /;
	push @why, 'the upgraded fingerprint differs' if ($r->{UP} // '') ne 'true';
	push @why, 'the downgrade fails: ' . $r->{err_down} if $r->{err_down};
	push @why, 'the downgraded fingerprint differs' if ($r->{DOWN} // '') ne 'true';
	return join('; ', @why);
}

# What differs after the upgrade of a failing pair, from the dumps.
sub explain_pair
{
	my ($schema, $a, $b) = @_;
	my $script = $prelude . "SELECT pg_temp.reset('$schema', " . dq($a) . ");\n"
	  . "CREATE TEMP TABLE d AS SELECT * FROM migrate_diff(" . dq($b) . ", ARRAY['$schema']);\n"
	  . "\\o /dev/null\nSELECT upgrade FROM d ORDER BY ordinal \\gexec\n";
	run_psql('rt', $script);
	my $got = statements(dump_schema('rt', $schema));
	run_psql('rt', $prelude . "SELECT pg_temp.reset('$schema', " . dq($b) . ");\n");
	my $want = statements(dump_schema('rt', $schema));
	my @lines = ((map {"missing: $_"} grep { !$got->{$_} } sort keys %$want),
		(map {"extra: $_"} grep { !$want->{$_} } sort keys %$got));
	s/\s+/ /g for @lines;
	return join("\n", map { '      ' . substr($_, 0, 240) } @lines[ 0 .. ($#lines < 5 ? $#lines : 5) ]);
}

# Round-trip the pairs of a corpus; returns (pairs loaded, round trips)
sub run_pairs
{
	my ($corpus, $schema, @pairs) = @_;
	my ($loaded, $ok, $lint_clean, $lint_approval, $changes, $explained) = (0, 0, 0, 0, 0, 0);
	my %why;
	for my $p (@pairs)
	{
		my ($label, $a, $b) = @$p;
		my $r = round_trip($schema, $a, $b);
		my $v = verdict($r);
		if ($v =~ /^skipped/)
		{
			$report .= "$corpus $label: $v\n";
			next;
		}
		$loaded++;
		my ($rows) = ($r->{ROWS} // '0') =~ /^(\d+)/;
		$changes += $rows;
		my ($up_err, $up_esc) = ($r->{LINTUP} // '0 0') =~ /^(\d+) (\d+)/;
		my ($dn_err, $dn_esc) = ($r->{LINTDOWN} // '0 0') =~ /^(\d+) (\d+)/;
		if ($v eq '')
		{
			$ok++;
			if ($up_err + $dn_err == 0)
			{
				$lint_clean++;
				$lint_approval++ if $up_esc + $dn_esc > 0;
			}
			else
			{
				$report .= "$corpus $label: round-trips; linter: upgrade $r->{LINTUP}, downgrade $r->{LINTDOWN}\n";
			}
			next;
		}
		$report .= "$corpus $label: $v (changes: $r->{ROWS})\n";
		$report .= explain_pair($schema, $a, $b) . "\n"
		  if $v =~ /fingerprint differs|leaves/ && $v !~ /fails/ && $explained++ < 5;
		(my $short = $v) =~ s/:.*//;
		$why{$short}++;
	}
	diag(sprintf('%s: %d pairs, %d changes: %d round-trip (upgrade reaches the desired fingerprint, no difference left, downgrade restores the original), '
		  . '%d of them pass the linter at its default level (%d with a finding that needs an approval)',
		$corpus, $loaded, $changes, $ok, $lint_clean, $lint_approval));
	diag("  $why{$_}: $_") for sort keys %why;
	return ($loaded, $ok);
}

# ---- (a) PostgreSQL's regression SQL ----

# The regression folder of the PostgreSQL 15 source package, downloaded
# into the cache the first time; or (undef, why not).
sub regress_sources
{
	my $dir = "$cache/postgresql-15-regress";
	return $dir if -f "$dir/parallel_schedule";
	make_path($cache);
	my @versions;
	for (`apt-cache policy postgresql-15 2>/dev/null`)
	{
		push @versions, $1 if /^\s+(?:\*\*\* )?(15\.\d+)-/;
	}
	push @versions, '15.18';
	my @mirrors;
	for my $f (glob('/etc/apt/sources.list.d/*'), '/etc/apt/sources.list')
	{
		open my $fh, '<', $f or next;
		while (<$fh>)
		{
			push @mirrors, $1 if /^URIs:\s*(\S+)/ || /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/;
		}
	}
	my (%seen_v, %seen_m);
	@versions = grep { !$seen_v{$_}++ } @versions;
	@mirrors = grep { m{/debian} && !$seen_m{$_}++ } @mirrors;
	my $http = HTTP::Tiny->new(timeout => 120);
	my $why = 'no mirror answered';
	for my $v (@versions)
	{
		for my $m (@mirrors)
		{
			for my $pool ('pool/main', 'pool/updates/main')
			{
				my $url = "$m/$pool/p/postgresql-15/postgresql-15_$v.orig.tar.bz2";
				my $tar = "$cache/postgresql-15_$v.orig.tar.bz2";
				my $res = $http->mirror($url, $tar);
				unless ($res->{success})
				{
					$why = "$url: $res->{status} $res->{reason}";
					next;
				}
				remove_tree("$dir.tmp");
				make_path("$dir.tmp");
				system('tar', 'xjf', $tar, '-C', "$dir.tmp", '--strip-components=4', '--wildcards',
					"postgresql-$v/src/test/regress/sql/*.sql", "postgresql-$v/src/test/regress/parallel_schedule") == 0
				  or return (undef, "could not unpack $tar");
				open my $fh, '>', "$dir.tmp/VERSION";
				print $fh "$v ($url)\n";
				close $fh;
				rename("$dir.tmp", $dir) or return (undef, "could not rename $dir.tmp");
				return $dir;
			}
		}
	}
	return (undef, $why);
}

# files that change the cluster, not a schema, or only wait
my %skip = map { $_ => 1 } qw(test_setup tablespace stats sysviews database advisory_lock vacuum_parallel);

SKIP:
{
	my ($dir, $why) = regress_sources();
	skip("unavailable: PostgreSQL's regression SQL: $why", 1) unless $dir;
	my $version = `cat $dir/VERSION`;
	chomp $version;
	my @files;
	open my $fh, '<', "$dir/parallel_schedule" or die;
	while (<$fh>)
	{
		next unless s/^test:\s*//;
		push @files, grep { !$skip{$_} && -f "$dir/sql/$_.sql" } split;
	}
	close $fh;
	my $limit = $ENV{MIGRATE_CORPUS_FILES} // 60;
	splice(@files, $limit) if $limit && $limit ne 'all' && @files > $limit;
	my @schemas;
	for my $f (@files)
	{
		$node->safe_psql('postgres', 'DROP DATABASE IF EXISTS corpus WITH (FORCE)');
		$node->safe_psql('postgres', 'CREATE DATABASE corpus');
		$node->safe_psql('corpus', 'CREATE SCHEMA regress');
		my $sql = do { local $/; open my $s, '<', "$dir/sql/$f.sql" or die; <$s> };
		run_psql('corpus', "\\set ON_ERROR_STOP 0\n$sql\n",
			options => '-c search_path=regress,public -c statement_timeout=10s -c client_min_messages=error',
			timeout => 120);
		my $dump = dump_schema('corpus', 'regress');
		push @schemas, [ $f, $dump ] if $dump ne '';
	}
	$node->safe_psql('postgres', 'DROP DATABASE IF EXISTS corpus WITH (FORCE)');
	diag("PostgreSQL $version: " . scalar(@files) . " regression files, " . scalar(@schemas) . " leave a schema");
	my @pairs = map { [ "empty -> $_->[0]", '', $_->[1] ] } @schemas;
	push @pairs, map { [ "$schemas[$_ - 1][0] -> $schemas[$_][0]", $schemas[$_ - 1][1], $schemas[$_][1] ] } 1 .. $#schemas;
	my ($loaded, $ok) = run_pairs('regression SQL', 'regress', @pairs);
	# the floor: what round-trips today, less a margin for other minor versions
	cmp_ok($ok, '>=', int($loaded * 0.7), "at least 70% of the regression SQL pairs round-trip ($ok of $loaded)");
}

# ---- (b) real histories ----

# The npm package SPEC unpacked in the cache (npm pack the first time).
sub npm_fetch
{
	my ($spec) = @_;
	my ($name, $version) = $spec =~ /^(.+)@([^@]+)$/;
	(my $tgz = "$name-$version.tgz") =~ s{^@}{};
	$tgz =~ s{/}{-}g;
	(my $dir = "$cache/npm/$tgz") =~ s/\.tgz$//;
	return $dir if -d "$dir/package";
	make_path("$cache/npm");
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'npm', 'pack', '--loglevel=error', '--pack-destination', "$cache/npm", $spec ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(300))
	  or return (undef, "npm pack $spec: " . (split /\n/, $err)[0]);
	make_path($dir);
	system('tar', 'xzf', "$cache/npm/$tgz", '-C', $dir) == 0 or return (undef, "could not unpack $tgz");
	return $dir;
}

my %history = (
	'graphile-worker' => {
		spec => 'graphile-worker@0.17.3', format => 'sql-folder', folder => 'package/sql',
		schema => 'graphile_worker',
		bootstrap => "create schema if not exists graphile_worker;\n"
		  . "create table if not exists graphile_worker.migrations(id int primary key, ts timestamptz default now() not null);\n"
		  . "alter table graphile_worker.migrations add column if not exists breaking boolean not null default false;"
	},
	unleash => {
		spec => 'unleash-server@7.5.1', format => 'db-migrate', folder => 'package/dist/migrations',
		schema => 'public',
		bootstrap => 'CREATE TABLE IF NOT EXISTS "migrations" ("id" SERIAL PRIMARY KEY, "name" VARCHAR (255) NOT NULL, "run_on" TIMESTAMP NOT NULL)'
	});

for my $name (sort keys %history)
{
  SKIP:
	{
		my $h = $history{$name};
		my ($pkg, $why) = npm_fetch($h->{spec});
		skip("unavailable: $name ($h->{spec}): $why", 1) unless $pkg;
		my $out = "$cache/converted/$name";
		unless (-d "$out/revisions")
		{
			$node->safe_psql('postgres', 'DROP DATABASE IF EXISTS conv WITH (FORCE)');
			$node->safe_psql('postgres', 'CREATE DATABASE conv');
			remove_tree("$out.tmp");
			local @ENV{qw(PGHOST PGPORT PGDATABASE BOOTSTRAP SCHEMA_VAR SCHEMA)} =
			  ($node->host, $node->port, 'conv', $h->{bootstrap}, ':GRAPHILE_WORKER_SCHEMA', 'graphile_worker');
			my ($o, $e) = ('', '');
			IPC::Run::run([ 'node', "$tree/test/histories/convert.js", $h->{format}, "$pkg/$h->{folder}", "$out.tmp" ],
				'>', \$o, '2>', \$e)
			  or skip("unavailable: $name: convert.js failed: " . substr($e, 0, 300), 1);
			rename("$out.tmp", $out);
		}
		my @revs;
		for my $f (sort glob("$out/revisions/*.sql"))
		{
			my $text = do { local $/; open my $s, '<', $f or die; <$s> };
			my ($up) = $text =~ /^-- migrate:upgrade\n(.*?)(?:^-- migrate:downgrade|\z)/ms;
			push @revs, $up // '';
		}
		# the schema at sample points k and k + 1
		my $n = scalar @revs;
		my @points = grep { $_ >= 1 && $_ < $n } map { int(1 + $_ * ($n - 2) / 5) } 0 .. 5;
		my %want = map { ($_ => 1, $_ + 1 => 1) } @points;
		my %dump;
		$node->safe_psql('postgres', 'DROP DATABASE IF EXISTS hist WITH (FORCE)');
		$node->safe_psql('postgres', 'CREATE DATABASE hist');
		my $segment = '';
		for my $k (1 .. $n)
		{
			$segment .= "BEGIN;\n$revs[$k - 1]\n;COMMIT;\n";
			next unless $want{$k};
			run_psql('hist', "\\set ON_ERROR_STOP 1\n$segment");
			$segment = '';
			$dump{$k} = dump_schema('hist', $h->{schema});
		}
		my @pairs;
		for my $i (0 .. $#points)
		{
			my $k = $points[$i];
			push @pairs, [ "$k -> " . ($k + 1), $dump{$k}, $dump{ $k + 1 } ];
			next if $i == $#points;
			push @pairs, [ "$k -> $points[$i + 1]", $dump{$k}, $dump{ $points[$i + 1] } ];
			push @pairs, [ "$points[$i + 1] -> $k", $dump{ $points[$i + 1] }, $dump{$k} ];
		}
		push @pairs, [ "empty -> $points[-1]", '', $dump{ $points[-1] } ];
		my ($loaded, $ok) = run_pairs("$name ($h->{spec})", $h->{schema}, @pairs);
		cmp_ok($ok, ">=", int($loaded * 0.6), "$name: at least 60% of the revision pairs round-trip ($ok of $loaded)");
	}
}

if ($ENV{MIGRATE_CORPUS_REPORT})
{
	open my $fh, '>', $ENV{MIGRATE_CORPUS_REPORT} or die;
	print $fh $report;
	close $fh;
}
note($report);
ok($node->safe_psql('rt', 'SELECT 1') eq '1', 'the server is up after every pair');

done_testing();
