#!/usr/bin/env perl
#
# test/layers.pl [SRC]: check that the extension's source tree keeps its
# layers.  Exits 1, listing every offence, when
#
#  * a server file lies outside a layer folder (src/LAYER/x.c, with its
#    header at src/include/migrate/LAYER/x.h);
#  * a file includes a header of migrate's that does not exist, or one of
#    its own by a path other than "migrate/LAYER/x.h" (a bare "x.h" could
#    pick up a PostgreSQL header of the same name);
#  * a file includes a header of a layer above its own;
#  * the include graph has a circle.  A module is x.c with its header x.h;
#    a circle is a set of modules each of which includes, directly or not,
#    all the others.  A header x_internal.h, shared by the files of one
#    subsystem but not exported beyond it, is part of module x.
#
# The layers, lowest first; each may include only itself and those below.
# src/pg_migrate, the client, may include only the "common" layer, and its
# own headers by plain name.

use strict;
use warnings;
use File::Find;

my @layers = qw(common util model catalog analysis exec guard sql);
my %rank;
@rank{@layers} = (0 .. $#layers);

my $src = shift // 'src';
$src =~ s{/+$}{};
my $inc = "$src/include";

my (@problems, %edges, %modules);

# Files of the tree, as paths relative to $src.
my @files;
find({
		wanted => sub {
			push @files, substr($File::Find::name, length($src) + 1)
			  if /\.[ch]$/ && -f $_;
		},
		no_chdir => 1
	},
	$src);

# module_of(PATH): [layer, module name] of a file, or undef with a problem
sub module_of
{
	my ($path) = @_;

	if ($path =~ m{^include/migrate/([^/]+)/([^/]+?)(_internal)?\.h$})
	{
		return [ $1, "$1/$2" ] if exists $rank{$1};
	}
	elsif ($path =~ m{^pg_migrate/([^/]+)\.[ch]$})
	{
		return [ 'pg_migrate', "pg_migrate/$1" ];
	}
	elsif ($path =~ m{^([^/]+)/([^/]+)\.c$} && exists $rank{$1})
	{
		return [ $1, "$1/$2" ];
	}
	push @problems, "$src/$path: outside the layers (@layers)";
	return undef;
}

my $nincludes = 0;
for my $path (sort @files)
{
	my $m = module_of($path) or next;
	my ($layer, $module) = @$m;

	$modules{$module} = 1;
	open(my $fh, '<', "$src/$path") or die "$src/$path: $!";
	while (my $line = <$fh>)
	{
		next unless $line =~ /^\s*#\s*include\s+"([^"]+)"/;
		my $target = $1;
		my $where = "$src/$path:$.";

		$nincludes++;
		if ($target =~ m{^migrate/([^/]+)/([^/]+?)(?:_internal)?\.h$})
		{
			my ($tlayer, $tname) = ($1, $2);

			if (!-f "$inc/$target")
			{
				push @problems, "$where: \"$target\" does not exist";
				next;
			}
			if ($layer eq 'pg_migrate' ? $tlayer ne 'common'
				: $rank{$tlayer} > $rank{$layer})
			{
				push @problems,
				  "$where: $layer includes \"$target\" of the layer above, $tlayer";
			}
			$edges{$module}{"$tlayer/$tname"} = 1
			  if "$tlayer/$tname" ne $module;
		}
		elsif ($target =~ m{^migrate/})
		{
			push @problems, "$where: \"$target\" is not migrate/LAYER/NAME.h";
		}
		elsif ($layer eq 'pg_migrate' && $target !~ m{/}
			&& -f "$src/pg_migrate/$target")
		{
			(my $tmod = "pg_migrate/$target") =~ s/\.h$//;
			$edges{$module}{$tmod} = 1 if $tmod ne $module;
		}
		elsif (-f "$src/" . ($path =~ m{^(.*)/} ? $1 : '.') . "/$target")
		{
			push @problems,
			  "$where: \"$target\" is a header of migrate's outside $inc/migrate";
		}
		# else a header of PostgreSQL's, found through its include path
	}
	close($fh);
}

# Strongly connected components (Tarjan) of more than one module.
my ($index, %idx, %low, @stack, %on, @circles) = (0);
sub visit
{
	my ($v) = @_;
	$idx{$v} = $low{$v} = $index++;
	push @stack, $v;
	$on{$v} = 1;
	for my $w (sort keys %{ $edges{$v} || {} })
	{
		if (!exists $idx{$w})
		{
			visit($w);
			$low{$v} = $low{$w} if $low{$w} < $low{$v};
		}
		elsif ($on{$w})
		{
			$low{$v} = $idx{$w} if $idx{$w} < $low{$v};
		}
	}
	if ($low{$v} == $idx{$v})
	{
		my @comp;
		my $w;
		do
		{
			$w = pop @stack;
			delete $on{$w};
			push @comp, $w;
		} while ($w ne $v);
		push @circles, join(' ', sort @comp) if @comp > 1;
	}
}
visit($_) for grep { !exists $idx{$_} } sort keys %modules;
push @problems, "include circle: $_" for @circles;

print "$_\n" for @problems;
printf "layers: %d files, %d modules, %d quoted includes, %d problems\n",
  scalar(@files), scalar(keys %modules), $nincludes, scalar(@problems);
exit(@problems ? 1 : 0);
