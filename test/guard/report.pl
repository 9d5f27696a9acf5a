#!/usr/bin/env perl
# The report of test/guard/regress.sh: reads its work folder and prints,
# per mode, files, statements, ERRORs against the baseline, what the guard
# blocked or warned about, alarms in the server log and wall time.  Exits
# non-zero on a crash, an internal error, a guard WARNING "could not
# record", or an ERROR of a guarded run that the baseline does not have
# and that is not a guard block (MG401-MG403).  In error mode a blocked
# statement makes later statements of its file fail differently (the
# object it would have dropped still exists, ...); those ERRORs are
# listed as "after a block" and left to a human when their file had a
# block, and fail the run otherwise.
#
#   test/guard/report.pl WORK MODE...
use strict;
use warnings;

my ($work, @modes) = @ARGV;
my %blocks = map { $_ => 1 } qw(MG401 MG402 MG403);
my $bad = 0;

# statements per file, split as psql would
my %statements;
open(my $st, '<', "$work/statements.tsv") or die "$work/statements.tsv: $!";
while (<$st>)
{
	my ($file) = split /\t/;
	$file =~ s/\.sql$//;
	$statements{$file}++;
}
close($st);

sub read_tsv
{
	my ($path) = @_;
	my @rows;
	open(my $fh, '<', $path) or return ();
	while (<$fh>)
	{
		chomp;
		push @rows, [ split /\t/, $_, -1 ];
	}
	close($fh);
	return @rows;
}

sub slurp
{
	my ($path) = @_;
	open(my $fh, '<', $path) or return '';
	local $/;
	my $s = <$fh>;
	close($fh);
	return $s;
}

# Messages with numbers (OIDs, pids, sizes) made comparable
sub norm
{
	my ($m) = @_;
	$m =~ s/\d+/N/g;
	return $m;
}

my (%files, %log, %wall);
for my $mode (@modes)
{
	$files{$mode} = [ read_tsv("$work/$mode/files.tsv") ];
	$log{$mode} = [ read_tsv("$work/$mode/log.tsv") ];
	$wall{$mode} = slurp("$work/$mode/wall") =~ s/\s+//gr;
}

# errors per mode: {file}{sqlstate} = count, and {file}{sqlstate|message}
my (%err, %errmsg);
for my $mode (@modes)
{
	for my $r (@{ $log{$mode} })
	{
		my ($file, $state, $level, $msg) = @$r;
		next unless $level eq 'ERROR';
		$err{$mode}{$file}{$state}++;
		$errmsg{$mode}{$file}{"$state  " . norm($msg)}++;
	}
}

printf "== files\n";
for my $mode (@modes)
{
	my @run = grep { $_->[1] =~ /^\d+$/ } @{ $files{$mode} };
	my @skipped = grep { $_->[1] !~ /^\d+$/ } @{ $files{$mode} };
	my ($n, $ms, $errors) = (0, 0, 0);
	for my $r (@run)
	{
		$n += $statements{ $r->[0] } // 0;
		$ms += $r->[1];
		$errors += $r->[2];
	}
	my $logerrors = 0;
	$logerrors += $_->[2] eq 'ERROR' ? 1 : 0 for @{ $log{$mode} };
	printf "%-6s %d files run, %d statements, %d ERROR lines in psql's output, %d ERRORs in the server log, wall %s s (files: %.1f s)\n",
	  $mode, scalar @run, $n, $errors, $logerrors, $wall{$mode}, $ms / 1000;
	printf "       not run: %s\n", join(', ', map { "$_->[0] ($_->[1])" } @skipped)
	  if @skipped;
}

my $base = (grep { $_ eq 'base' } @modes) ? 'base' : undef;
# ERRORs a run with nothing blocked (warn) has and the baseline has not
my %warn_extra;
if ($base && grep { $_ eq 'warn' } @modes)
{
	for my $file (keys %{ $errmsg{warn} })
	{
		for my $m (keys %{ $errmsg{warn}{$file} })
		{
			$warn_extra{$file}{$m} = 1
			  if $errmsg{warn}{$file}{$m} > ($errmsg{$base}{$file}{$m} // 0);
		}
	}
}

for my $mode (grep { $_ ne 'base' } @modes)
{
	print "\n== $mode: guard blocks and warnings by SQLSTATE and rule (server log)\n";
	my %by;
	for my $r (@{ $log{$mode} })
	{
		my ($file, $state, $level, $msg) = @$r;
		next unless $state =~ /^MG4/;
		my $rule =
		    $msg =~ /safety rule "([^"]+)"/ ? $1
		  : $msg =~ /protected/ ? 'protected-object-change'
		  : $msg =~ /rewrite/ ? '(table_rewrite)'
		  : '?';
		$by{"$level $state $rule"}++;
	}
	printf "  %5d  %s\n", $by{$_}, $_ for sort { $by{$b} <=> $by{$a} || $a cmp $b } keys %by;
	print "  (none)\n" unless %by;

	if (-s "$work/$mode/drift.tsv")
	{
		print "== $mode: migrate_drift(true) by blocked, rule\n";
		for my $r (read_tsv("$work/$mode/drift.tsv"))
		{
			printf "  %5d  blocked=%s %s\n", $r->[2], $r->[0], $r->[1] || '(no rule)';
		}
	}

	next unless $base;
	print "== $mode: ERRORs not in the baseline (per file and SQLSTATE; guard blocks excluded)\n";
	my ($extra, $after_block, $fewer) = (0, 0, 0);
	my $blocked_before = 0;
	for my $file (map { $_->[0] } @{ $files{$mode} })
	{
		my $g = $err{$mode}{$file} // {};
		my $b = $err{$base}{$file} // {};
		my $blocked = 0;
		$blocked += $g->{$_} for grep { $blocks{$_} } keys %$g;
		my $kind =
		    $blocked ? 'after a block in this file'
		  : $blocked_before ? 'after a block in an earlier file'
		  : 'UNEXPLAINED';
		$blocked_before += $blocked;
		my %states = map { $_ => 1 } (keys %$g, keys %$b);
		for my $state (sort keys %states)
		{
			next if $blocks{$state};
			my $d = ($g->{$state} // 0) - ($b->{$state} // 0);
			$fewer += -$d if $d < 0;
			next if $d <= 0;
			my $gm = $errmsg{$mode}{$file} // {};
			my $bm = $errmsg{$base}{$file} // {};
			my @lines;
			my $k = $kind;
			for my $m (sort keys %$gm)
			{
				next unless index($m, "$state  ") == 0;
				my $dm = $gm->{$m} - ($bm->{$m} // 0);
				next unless $dm > 0;
				push @lines, sprintf("      +%d  %s\n", $dm, substr($m, 7, 150));
				$k = 'UNEXPLAINED: warn mode has it too' if $mode ne 'warn' && $warn_extra{$file}{$m};
			}
			if ($k =~ /^UNEXPLAINED/) { $extra += $d; $bad = 1 } else { $after_block += $d }
			printf "  %-24s %s  +%d  (%s)\n", $file, $state, $d, $k;
			print @lines;
		}
	}
	printf "  unexplained: %d, after a block (here or in an earlier file): %d; ERRORs the baseline had and %s had not: %d\n",
	  $extra, $after_block, $mode, $fewer;
}

# With nothing blocked, psql's output should differ from the baseline only
# by the guard's WARNINGs and by listings that show the extension's own
# objects (event_trigger, opr_sanity, triggers; alter_table's locks and
# OIDs): the files listed here are for a human to read.
if ($base && grep { $_ eq 'warn' } @modes)
{
	print "\n== warn: files whose output differs from the baseline's, the guard's WARNINGs aside\n";
	my $any = 0;
	for my $r (@{ $files{warn} })
	{
		my $t = $r->[0];
		next unless -f "$work/warn/out/$t.out" && -f "$work/$base/out/$t.out";
		my @b = grep { s/^psql:\S*: //; 1 } split /\n/, slurp("$work/$base/out/$t.out");
		my @w = grep { s/^psql:\S*: //; !/breaks safety rule|changes protected|migrate\.enforce is "warn", so it runs|^WARNING:  \S+( \S+)* rewrites table |runs outside migrations in a managed schema|drops protected/ }
		  split /\n/, slurp("$work/warn/out/$t.out");
		my %count;
		$count{$_}++ for @b;
		$count{$_}-- for @w;
		my $n = 0;
		$n += abs($_) for values %count;
		next unless $n;
		printf "  %-24s %d lines\n", $t, $n;
		$any = 1;
	}
	print "  (none)\n" unless $any;
}

# Internal errors the baseline has too are PostgreSQL's own (elog in
# regress.c, ...); only the others are the guard's.
print "\n== alarms in the server logs\n";
my $alarms = 0;
my %baseline_internal;
if ($base && open(my $fh, '<', "$work/$base-data.log"))
{
	while (my $line = <$fh>)
	{
		$baseline_internal{ norm($line) } = 1
		  if $line =~ /\|XX\d\d\d\||cache lookup failed|unrecognized node type/;
	}
	close($fh);
}
for my $mode (@modes)
{
	open(my $fh, '<', "$work/$mode-data.log") or next;
	while (my $line = <$fh>)
	{
		next if $line =~ /\|XX\d\d\d\||cache lookup failed|unrecognized node type/
		  && ($mode eq 'base' || $baseline_internal{ norm($line) });
		if ($line =~ /terminated by signal|TRAP:|PANIC|\|XX\d\d\d\||cache lookup failed|unrecognized node type|could not record|server process .* was terminated|SPI_connect failed|could not prepare "|could not run "/)
		{
			print "  $mode: $line";
			$alarms++;
			$bad = 1;
		}
	}
	close($fh);
	for my $r (@{ $files{$mode} })
	{
		my $out = slurp("$work/$mode/out/$r->[0].out");
		if ($out =~ /server closed the connection unexpectedly|connection to server was lost/)
		{
			print "  $mode: $r->[0]: the connection died\n";
			$alarms++;
			$bad = 1;
		}
	}
}
print "  (none)\n" unless $alarms;

print "\n== verdict: ", ($bad ? "FAILED" : "ok"), "\n";
exit($bad ? 1 : 0);
