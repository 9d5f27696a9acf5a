#!/usr/bin/env perl
# Split psql scripts into statements the way psql sends them, for linting
# files that contain psql meta-commands.
#
#   test/lint/split.pl FILE...
#
# Prints one line per statement, in COPY text format: file name, 1-based
# statement number, line of its first token, statement text (without the
# final ';').  Like psql's lexer (psqlscan.l) it knows comments (nested),
# standard, E'' and dollar quoted strings, quoted identifiers, parentheses,
# and BEGIN ... END / CASE ... END bodies (BEGIN ATOMIC functions).  psql
# meta-commands (a backslash outside a string or comment) end the statement
# under way and take the rest of their line; the data lines of COPY ...
# FROM STDIN, up to "\.", are skipped.
use strict;
use warnings;

sub copy_escape
{
	my ($s) = @_;
	$s =~ s/\\/\\\\/g;
	$s =~ s/\t/\\t/g;
	$s =~ s/\n/\\n/g;
	$s =~ s/\r/\\r/g;
	return $s;
}

for my $file (@ARGV)
{
	open(my $fh, '<', $file) or die "$file: $!";
	local $/;
	my $text = <$fh>;
	close($fh);
	(my $name = $file) =~ s{.*/}{};

	my $n = 0;
	my $len = length($text);
	my $i = 0;
	my $line = 1;
	my ($start, $start_line) = (undef, 0);
	my ($parens, $begin_depth) = (0, 0);
	my @words;

	my $emit = sub {
		my ($end) = @_;
		if (defined $start)
		{
			my $stmt = substr($text, $start, $end - $start);
			$stmt =~ s/\s+$//;
			if ($stmt ne '')
			{
				$n++;
				print join("\t", copy_escape($name), $n, $start_line,
					copy_escape($stmt)), "\n";
			}
			# COPY ... FROM STDIN: its data follows, up to "\."
			if ($stmt =~ /^\s*copy\b.*\bfrom\s+stdin\b/is)
			{
				my $nl = index($text, "\n", $i);
				$i = $nl < 0 ? $len : $nl + 1;
				$line++ if $nl >= 0;
				while ($i < $len)
				{
					my $e = index($text, "\n", $i);
					$e = $len if $e < 0;
					my $l = substr($text, $i, $e - $i);
					$i = $e + 1;
					$line++;
					last if $l =~ /^\\\.\s*$/;
				}
			}
		}
		$start = undef;
		($parens, $begin_depth) = (0, 0);
		@words = ();
	};

	while ($i < $len)
	{
		my $c = substr($text, $i, 1);
		my $c2 = substr($text, $i, 2);

		if ($c eq "\n")
		{
			$line++;
			$i++;
			next;
		}
		if ($c =~ /\s/)
		{
			$i++;
			next;
		}
		if ($c2 eq '--')
		{
			my $e = index($text, "\n", $i);
			$i = $e < 0 ? $len : $e;
			next;
		}
		if ($c2 eq '/*')
		{
			my $depth = 0;
			while ($i < $len)
			{
				my $t = substr($text, $i, 2);
				if ($t eq '/*') { $depth++; $i += 2; next; }
				if ($t eq '*/') { $depth--; $i += 2; last if $depth == 0; next; }
				$line++ if substr($text, $i, 1) eq "\n";
				$i++;
			}
			next;
		}
		if ($c eq '\\')
		{
			# a meta-command ends the statement under way (\g, \gset, ...)
			# and takes the rest of its line
			$emit->($i);
			my $e = index($text, "\n", $i);
			$i = $e < 0 ? $len : $e;
			next;
		}
		if (!defined $start)
		{
			$start = $i;
			$start_line = $line;
		}
		if ($c eq ';' && $parens == 0 && $begin_depth == 0)
		{
			$i++;
			$emit->($i - 1);
			next;
		}
		if ($c eq '(') { $parens++; $i++; next; }
		if ($c eq ')') { $parens-- if $parens > 0; $i++; next; }
		if ($c eq "'" || ($c =~ /[eE]/ && substr($text, $i + 1, 1) eq "'"))
		{
			my $escapes = $c ne "'";
			$i += $escapes ? 2 : 1;
			while ($i < $len)
			{
				my $d = substr($text, $i, 1);
				if ($escapes && $d eq '\\') { $i += 2; next; }
				if ($d eq "'")
				{
					if (substr($text, $i + 1, 1) eq "'") { $i += 2; next; }
					$i++;
					last;
				}
				$line++ if $d eq "\n";
				$i++;
			}
			next;
		}
		if ($c eq '"')
		{
			$i++;
			while ($i < $len)
			{
				my $d = substr($text, $i, 1);
				if ($d eq '"')
				{
					if (substr($text, $i + 1, 1) eq '"') { $i += 2; next; }
					$i++;
					last;
				}
				$line++ if $d eq "\n";
				$i++;
			}
			next;
		}
		pos($text) = $i;
		if ($c eq '$' && $text =~ /\G(\$(?:[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)?\$)/gc)
		{
			my $tag = $1;
			my $e = index($text, $tag, $i + length($tag));
			$e = $e < 0 ? $len : $e + length($tag);
			$line += (substr($text, $i, $e - $i) =~ tr/\n//);
			$i = $e;
			next;
		}
		pos($text) = $i;
		if ($text =~ /\G([A-Za-z_\x80-\xff][A-Za-z0-9_\$\x80-\xff]*)/gc)
		{
			my $word = lc($1);
			my $wordlen = length($1);
			# as psqlscan.l: BEGIN ... END (and CASE ... END inside it)
			# only in CREATE [OR REPLACE] FUNCTION/PROCEDURE, outside
			# parentheses
			push(@words, $word) if @words < 4;
			my $routine = "@words" =~ /^create (or replace )?(function|procedure)\b/;
			if ($routine && $parens == 0)
			{
				if ($word eq 'begin') { $begin_depth++; }
				elsif ($word eq 'case' && $begin_depth >= 1) { $begin_depth++; }
				elsif ($word eq 'end' && $begin_depth > 0) { $begin_depth--; }
			}
			$i += $wordlen;
			next;
		}
		$i++;
	}
	$emit->($len);
}
