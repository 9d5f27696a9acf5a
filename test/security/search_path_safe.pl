#!/usr/bin/env perl
# search_path_safe.pl [DIR]: fail when an SQL string literal of the
# extension's C code (DIR, default src, without the client) names a cast
# type, a function or an operator without schema pg_catalog.  catalog.c
# runs its SQL as the extension's owner, usually a superuser; its
# search_path is pinned too, but a name that resolves through a schema or
# a pg_temp that the caller controls would run the caller's code as the
# owner, so every name is qualified as well.  Adjacent C literals are
# joined; SQL literals ('...') inside are skipped; SET col = and column
# lists are not operators or functions.
use strict;
use warnings;
use File::Find;

my $dir = shift // 'src';
my @files;
find(sub { push @files, $File::Find::name if /\.c$/ && $File::Find::dir !~ m{/pg_migrate\b} }, $dir);
my $problems = 0;
local $/;
for my $f (sort @files) {
  open my $h, '<', $f or die "$f: $!";
  my $src = <$h>;
  $src =~ s{/\*.*?\*/}{}gs;
  # join adjacent literals
  while ($src =~ /((?:"(?:[^"\\\n]|\\.)*"\s*)+)/g) {
    my $lit = $1; my $sql = join '', ($lit =~ /"((?:[^"\\\n]|\\.)*)"/g);
    next unless $sql =~ /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|ARRAY)\b/;
    my $s = $sql; $s =~ s/'(?:[^'\\]|\\.)*'/''/g;   # drop literals
    $s =~ s/OPERATOR\(pg_catalog\.[^)]*\)/ /g;
    $s =~ s/(\bSET|,)\s*\w+\s*=/$1 /g;
    my @bad;
    push @bad, "cast $1" while $s =~ /::\s*(?!pg_catalog\.)(\\?"?\w+)/g;
    push @bad, "operator $1" while $s =~ /(?<![<>!=:])(=|<>|<=|>=|<|>|\|\||~~?\*?)(?![=>])/g;
    my $t = $s;
    $t =~ s/\b(INTO|AS|JOIN|FROM|TABLE|CONFLICT|WITH)\s+[\w.]+\s*\(/ /gi;  # column lists
    $t =~ s/,\s*\w+\s*\(\w+(,\s*\w+)*\)\s+AS\b/ /g;   # CTE name(cols) AS
    while ($t =~ /(?<![\w.])(\w+)\s*\(/g) {
      my $n = $1;
      next if $n =~ /^(IN|ANY|ALL|ARRAY|FROM|CONFLICT|EXISTS|VALUES|COALESCE|NULLIF|GREATEST|LEAST|CAST|ROW|OVER|FILTER|AND|OR|NOT|ON|USING|SELECT|WHERE|RETURNING|BY|GROUP|AS|\d+)$/i;
      push @bad, "function $n";
    }
    if (@bad) { print "$f: @bad\n   $sql\n"; $problems++; }
  }
}
print $problems ? "$problems SQL literals with unqualified names\n" : "every SQL literal qualifies its names\n";
exit($problems ? 1 : 0);
