
# pg_migrate, the command-line client: every command against a real
# cluster, its exit statuses (0 ok, 1 failure, 2 usage, 3 problems found),
# the revision folder (default parents, two heads, merge, empty and
# missing folder), the checksum refusal naming the file, a bad connection
# and a bad target.

use strict;
use warnings;

use File::Basename qw(dirname);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# Lint findings (notices at load) are the subject of other suites.
$ENV{PGOPTIONS} = "-c client_min_messages=warning";

# Outside the PostgreSQL source tree, find pg_regress next to PGXS.
if (!$ENV{PG_REGRESS})
{
	my $pgxs = `pg_config --pgxs`;
	chomp $pgxs;
	$ENV{PG_REGRESS} = dirname($pgxs) . '/../test/regress/pg_regress';
}

program_help_ok('pg_migrate');
program_version_ok('pg_migrate');
program_options_handling_ok('pg_migrate');

my $node = PostgreSQL::Test::Cluster->new('client');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE EXTENSION migrate');

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tempdir/migrations";

# pg_migrate with the database and folder of this test
sub pm
{
	return [ 'pg_migrate', '-d', 'app', '-D', $dir, @_ ];
}

# Exit status, stdout and stderr of a pg_migrate run.
sub run_pm
{
	my ($out, $err) = ('', '');
	local %ENV = %ENV;
	$ENV{PGHOST} = $node->host;
	$ENV{PGPORT} = $node->port;
	IPC::Run::run(pm(@_), '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

# The revision file of id in $dir.
sub file_of
{
	my ($id) = @_;
	for my $f (glob("$dir/*.sql"))
	{
		return $f if slurp_file($f) =~ /^-- migrate:revision \Q$id\E$/m;
	}
	return undef;
}

# Replace the placeholder SQL of a new revision file.
sub fill
{
	my ($id, $up, $down) = @_;
	my $f = file_of($id);
	my $text = slurp_file($f);
	$text =~ s/-- the upgrade SQL\n/$up\n/;
	$text =~ s/-- the downgrade SQL\n/$down\n/;
	open my $fh, '>', $f or die;
	print $fh $text;
	close $fh;
}

# usage errors: exit status 2
$node->command_checks_all([ 'pg_migrate', 'frobnicate' ],
	2, [qr/^$/], [qr/unrecognized command "frobnicate"/], 'unknown command');
$node->command_checks_all([ 'pg_migrate' ],
	2, [qr/^$/], [qr/no command given/], 'no command');
$node->command_checks_all(pm('downgrade'),
	2, [qr/^$/], [qr/too few arguments for command "downgrade"/],
	'downgrade needs a target');
$node->command_checks_all(pm('revision'),
	2, [qr/^$/], [qr/needs a message/], 'revision needs a message');
$node->command_checks_all(pm('revision', '-m', 'x', '--id', 'bad-id'),
	2, [qr/^$/], [qr/invalid revision id "bad-id"/], 'revision refuses a bad id');
$node->command_checks_all(pm('merge', '-m', 'x', 'a'),
	2, [qr/^$/], [qr/at least two revisions/], 'merge needs two revisions');

# a folder that does not exist yet
$node->command_fails_like(pm('load'), qr/directory ".*migrations" does not exist/,
	'load without a folder fails');
$node->command_fails_like(pm('revision', '-m', 'x'),
	qr/does not exist.*\n.*pg_migrate init/, 'revision without a folder suggests init');

# init, then an empty folder: nothing to load, nothing to upgrade
$node->command_like(pm('init'), qr/created directory/, 'init creates the folder');
ok(-d $dir, 'the folder exists');
$node->command_like(pm('load'), qr/loaded 0 revision files/, 'load of an empty folder');
$node->command_like(pm('upgrade'), qr/nothing to upgrade/,
	'upgrade with an empty folder and graph does nothing');
$node->command_like(pm('current'), qr/^base/, 'current at base');
$node->command_like(pm('check'), qr/no problems/, 'check of an empty graph');

# revisions: the first is a root, the next follows the folder's head
$node->command_like(pm('revision', '-m', 'create persons', '--id', 'a1'),
	qr/migrations\/\d{14}_create_persons\.sql$/, 'revision writes a file');
$node->command_ok(pm('revision', '-m', 'add email', '--id', 'a2'),
	'a second revision');
$node->command_ok(
	pm('revision', '-m', 'Orders!', '--id', 'b1', '--parents', 'a1',
		'--branch-label', 'orders'),
	'a revision on a branch');
like(slurp_file(file_of('a2')), qr/^-- migrate:parents a1$/m,
	'the second revision follows the head');
unlike(slurp_file(file_of('a1')), qr/migrate:parents/, 'the first is a root');
like(file_of('b1'), qr/_orders\.sql$/, 'the file name is a slug of the message');
my @names = map { (split m{/}, $_)[-1] } sort glob("$dir/*.sql");
is_deeply([ map { file_of($_) =~ s{.*/}{}r } qw(a1 a2 b1) ], \@names,
	'file names sort in creation order');

$node->command_fails_like(pm('init'), qr/exists and is not empty/,
	'init refuses a non-empty folder');

# two heads: revision refuses to guess, merge joins them
$node->command_fails_like(pm('revision', '-m', 'x'),
	qr/the revision files have 2 heads.*\n.*a2.*b1/,
	'revision refuses a folder with two heads');
$node->command_fails_like(pm('merge', '-m', 'm', 'a1', 'b1'),
	qr/revision "a1" is not a head/, 'merge refuses a non-head');
$node->command_ok(pm('merge', '-m', 'merge', '--id', 'm1', 'a2', 'b1'),
	'merge writes a merge file');
like(slurp_file(file_of('m1')), qr/^-- migrate:parents a2 b1$/m,
	'the merge has both parents');
$node->command_ok(pm('revision', '-m', 'add phone', '--id', 'c1'),
	'after the merge there is one head again');

fill('a1', 'CREATE TABLE persons (id int PRIMARY KEY, name text);', 'DROP TABLE persons;');
fill('a2', 'ALTER TABLE persons ADD COLUMN email text;', 'ALTER TABLE persons DROP COLUMN email;');
fill('b1', 'CREATE TABLE orders (id int PRIMARY KEY, person int);', 'DROP TABLE orders;');
fill('c1', 'ALTER TABLE persons ADD COLUMN phone text;', 'ALTER TABLE persons DROP COLUMN phone;');

# load and upgrade
$node->command_like(pm('load'), qr/loaded 5 revision files/, 'load sends every file');
my ($rc, $out, $err) = run_pm('check');
is($rc, 3, 'check finds pending revisions: exit status 3');
like($out, qr/^pending a1: /m, 'check lists pending revisions');

($rc, $out, $err) = run_pm('upgrade', 'a2');
is($rc, 0, 'upgrade to a2');
like($out, qr/^plan: upgrade to "a2", 2 revisions\n  a1, create persons\n  a2, add email\nupgraded a1, create persons \([\d.]+ ms\)\nupgraded a2, add email \([\d.]+ ms\)\nupgraded 2 revisions to "a2" in [\d.]+ ms$/,
	'one progress line per revision, then a summary');
($rc, $out, $err) = run_pm('upgrade');
is($rc, 0, 'upgrade to head');
like($out, qr/upgraded b1.*\nupgraded m1.*\nupgraded c1.*\nupgraded 3 revisions/,
	'the rest is upgraded in order');
is($node->safe_psql('app', 'SELECT migrate_at_head()'), 't', 'at head');
$node->command_like(pm('upgrade'), qr/nothing to upgrade/, 'upgrade again does nothing');
$node->command_like(pm('check'), qr/no problems/, 'check at head');

# reading commands
$node->command_like(pm('current'), qr/^c1 \(head\), add phone$/, 'current');
$node->command_like(pm('heads'), qr/^c1 \(orders\) \(head, applied\), add phone$/, 'heads');
$node->command_like(pm('branches'), qr/^a1 \(branchpoint\), create persons\n    -> a2, b1$/,
	'branches');
$node->command_like(pm('history'),
	qr/^m1 -> c1 \(head current\), add phone\na2, b1 -> m1 \(mergepoint\), merge\na1 -> b1 \(orders\), Orders!\n/,
	'history');
$node->command_like(pm('history', 'm1:'), qr/\A[^\n]*c1[^\n]*\n[^\n]*m1[^\n]*\n\z/,
	'history of a range');
$node->command_like(pm('history', '--graph'),
	qr/\A\* c1 .*\n\* m1 .*\n\|\\\n\| \* b1 .*\n\* \| a2,.*\n\|\/\n\* a1 .*\n\z/,
	'history --graph draws the merge');

# depends-on edges are drawn too, dotted (":" and "."), parent edges solid
$node->safe_psql('postgres', 'CREATE DATABASE graphs');
$node->safe_psql('graphs', q{
CREATE EXTENSION migrate;
SET client_min_messages = warning;
SELECT migrate_revision('root', 'CREATE TABLE t1 (id int)', 'DROP TABLE t1', id => 'g1', parents => '{}');
SELECT migrate_revision('two', 'CREATE TABLE t2 (id int)', 'DROP TABLE t2', id => 'g2', parents => '{g1}');
SELECT migrate_revision('b one', 'CREATE TABLE t3 (id int)', 'DROP TABLE t3', id => 'gb1', parents => '{g1}');
SELECT migrate_revision('b two', 'CREATE TABLE t4 (id int)', 'DROP TABLE t4', id => 'gb2', parents => '{gb1}', depends_on => '{g2}');
SELECT migrate_revision('other root', 'CREATE TABLE t5 (id int)', 'DROP TABLE t5', id => 'gx1', parents => '{}', depends_on => '{gb1}');
SELECT migrate_merge('{g2,gb2}', 'merge', id => 'gm');
SELECT migrate_revision('after', 'CREATE TABLE t6 (id int)', 'DROP TABLE t6', id => 'gc', parents => '{gm}', depends_on => '{g1}');
});
$node->command_like([ 'pg_migrate', '-d', 'graphs', 'history', '--graph' ],
	qr/\A\* gc \(head\), after \[depends on g1\]
\|\\
\* : gm \(mergepoint\), merge
\|\\ \\
\| \| : \* gx1 \(root head\), other root \[depends on gb1\]
\| \| : :
\| \* : : gb2, b two \[depends on g2\]
\| \|\\ \\ \\
\| \|\.:\.:\/
\| \* : : gb1, b one
\|\.\|\/ \/
\* \| : g2, two
\|\/ \/
\|\/
\* g1 \(root branchpoint\), root
\z/,
	'history --graph draws depends-on edges dotted');
$node->command_like([ 'pg_migrate', '-d', 'graphs', 'history', '--graph', 'gb1:gb2' ],
	qr/\A\* gb2, b two \[depends on g2\]\n\* gb1, b one\n\z/,
	'a depends-on edge to a revision outside the range is not drawn');
$node->command_like([ 'pg_migrate', '-d', 'graphs', 'history', '--graph', 'g2:gm' ],
	qr/\A\* gm \(mergepoint\), merge\n\|\\\n\| \* gb2, b two \[depends on g2\]\n\| :\n\|\/\n\* g2, two\n\z/,
	'a depends-on edge leaves its row dotted');
$node->command_like(pm('show', 'a2'),
	qr/Revision:\s+a2\nParents:\s+a1\n.*-- upgrade\nALTER TABLE persons ADD COLUMN email text;/s,
	'show');
$node->command_like(pm('sql', 'a1'),
	qr/-- Running downgrade c1 -> m1.*DROP TABLE orders;/s, 'sql of a downgrade');

# --json
($rc, $out, $err) = run_pm('--json', 'current');
is(decode_json($out)->[0]{revision}, 'c1', '--json current');
is(ref decode_json($out)->[0]{markers}, 'ARRAY', '--json current: markers is an array');
($rc, $out, $err) = run_pm('history', '--json');
is(scalar @{ decode_json($out) }, 5, '--json history, option after the command');
($rc, $out, $err) = run_pm('show', 'b1', '--json');
is_deeply(decode_json($out)->{branch_labels}, ['orders'], '--json show keeps arrays');
is(ref decode_json($out)->{markers}, 'ARRAY', '--json show: markers is an array');
($rc, $out, $err) = run_pm('--json', 'history', '--graph');
like(decode_json($out), qr/^digraph migrate \{.*"a1" -> "a2";/s, '--json history --graph is the DOT');

# downgrade and stamp
($rc, $out, $err) = run_pm('downgrade', 'a1');
is($rc, 0, 'downgrade to a1');
like($out, qr/^plan: downgrade to "a1", 4 revisions\n  c1, .*\n  m1, .*\n  b1, .*\n  a2, .*\ndowngraded c1.*\ndowngraded m1.*\ndowngraded b1.*\ndowngraded a2.*\ndowngraded 4 revisions to "a1"/,
	'downgrade progress, children first');
$node->command_like(pm('current'), qr/^a1 /, 'current after downgrade');
$node->command_like(pm('stamp', 'm1'), qr/^stamped a2.*\nstamped b1.*\nstamped m1/,
	'stamp records without running');
is($node->safe_psql('app', "SELECT count(*) FROM pg_class WHERE relname = 'orders'"),
	'0', 'stamp ran no SQL');
$node->command_ok(pm('stamp', 'a1'), 'stamp back');
($rc, $out, $err) = run_pm('--json', 'upgrade', 'heads');
is($rc, 0, 'upgrade heads with --json');
my $report = decode_json($out);
is_deeply([ map { $_->{revision} } @{ $report->{steps} } ], [qw(a2 b1 m1 c1)],
	'--json upgrade lists the steps');
ok($report->{ok} && $report->{loaded} == 5, '--json upgrade says ok and loaded');

# a bad target, a bad connection
$node->command_checks_all(pm('upgrade', 'nosuch'),
	1, [qr/^$/], [qr/error: could not plan the upgrade: revision "nosuch" does not exist/],
	'bad target');
$node->command_checks_all(pm('downgrade', 'c1'),
	1, [qr/^$/], [qr/"c1" is not a valid downgrade target/], 'bad downgrade target');
$node->command_checks_all(
	[ 'pg_migrate', '-d', 'app', '-h', $node->host, '-p', '1', '-D', $dir, 'current' ],
	1, [qr/^$/], [qr/error: connection to server .* failed/], 'bad connection');

# passwords: -w never prompts, -W prompts before connecting, and without
# either pg_migrate prompts when the server asks for a password (as psql)
$node->safe_psql('postgres', "CREATE ROLE pw_user LOGIN PASSWORD 'pw_secret'");
{
	my $hba = slurp_file($node->data_dir . '/pg_hba.conf');
	open my $hfh, '>', $node->data_dir . '/pg_hba.conf' or die;
	print $hfh "local all pw_user scram-sha-256\nhost all pw_user 127.0.0.1/32 scram-sha-256\n$hba";
	close $hfh;
	$node->reload;
}
{
	local $ENV{PGPASSWORD};
	delete $ENV{PGPASSWORD};
	$node->command_checks_all(pm('-U', 'pw_user', '-w', 'current'),
		1, [qr/^$/], [qr/no password supplied/], '-w does not prompt');
	$node->command_checks_all(pm('--no-password', '-U', 'pw_user', 'current'),
		1, [qr/^$/], [qr/no password supplied/], '--no-password before the command');
  SKIP:
	{
		# the prompt reads /dev/tty when there is one: only without it
		# does it read the standard input this test can write
		skip 'a terminal is attached: the prompt would read it', 4
		  if open(my $tty, '<', '/dev/tty');
		my @conn = ('-h', $node->host, '-p', $node->port);
		my ($out, $err) = ('', '');
		IPC::Run::run([ @{ pm(@conn, '-U', 'pw_user', '-W', 'current') } ],
			'<', \"pw_secret\n", '>', \$out, '2>', \$err);
		is($? >> 8, 0, '-W prompts, and the password typed is used');
		like($err, qr/^Password: /, 'the prompt is on stderr');
		($out, $err) = ('', '');
		IPC::Run::run([ @{ pm(@conn, '-U', 'pw_user', 'current', '--password') } ],
			'<', \"wrong\n", '>', \$out, '2>', \$err);
		like($err, qr/password authentication failed for user "pw_user"/,
			'--password after the command, a wrong password');
		($out, $err) = ('', '');
		IPC::Run::run([ @{ pm(@conn, '-U', 'pw_user', 'current') } ],
			'<', \"pw_secret\n", '>', \$out, '2>', \$err);
		ok($? >> 8 == 0 && $err =~ /^Password: / && $out ne '',
			'without -W, a prompt when the server asks');
	}
}

$node->safe_psql('postgres', 'CREATE DATABASE plain');
$node->command_checks_all([ 'pg_migrate', '-d', 'plain', 'current' ],
	1, [qr/^$/], [qr/extension "migrate" is not installed in database "plain"/],
	'database without the extension');

# checksums: an applied file whose SQL changes is refused, naming the file;
# whitespace and comments are not changes
my $f = file_of('a2');
my $orig = slurp_file($f);
(my $edited = $orig) =~ s/ADD COLUMN email text/ADD COLUMN email varchar/;
open my $fh, '>', $f or die;
print $fh $edited;
close $fh;
$node->command_checks_all(pm('upgrade'),
	1, [qr/^$/],
	[qr/could not load file "\Q$f\E": revision "a2" is applied and its SQL has changed/],
	'a changed applied file is refused, naming the file');
(my $spaced = $orig) =~ s/ADD COLUMN email text;/ADD   COLUMN email\n   text; -- reformatted/;
open $fh, '>', $f or die;
print $fh $spaced;
close $fh;
$node->command_like(pm('load'), qr/loaded 5/, 'whitespace and comments are not changes');

# a file that is not a revision file
open $fh, '>', "$dir/99999999999999_notes.sql" or die;
print $fh "SELECT 1;\n";
close $fh;
$node->command_fails_like(pm('load'), qr/"[^"]*notes\.sql" is not a revision file/,
	'a file without an upgrade section is refused');
unlink "$dir/99999999999999_notes.sql";

# lint: each file's upgrade and downgrade sections are linted apart, the
# downgrade as a downgrade that knows what the upgrade creates; findings
# give the file's line and the section
($rc, $out, $err) = run_pm('lint');
ok($rc == 0 || $rc == 3, 'lint of the folder runs');
$node->safe_psql('app', 'CREATE TABLE lint_people (id int PRIMARY KEY); INSERT INTO lint_people VALUES (1)');
my $lintfile = "$tempdir/lint_me.sql";
open $fh, '>', $lintfile or die;
print $fh <<'EOF_LINT';
-- migrate:revision lint1
-- migrate:message lint me

-- migrate:upgrade
CREATE TABLE lint_made (id int);

DELETE FROM lint_people;

-- migrate:downgrade
DROP TABLE lint_made;
TRUNCATE lint_people;
EOF_LINT
close $fh;
($rc, $out, $err) = run_pm('lint', $lintfile);
is($rc, 3, 'lint of a file with errors: exit status 3');
like($out, qr/^\Q$lintfile\E:7: error: delete-or-update-without-where: .* \(upgrade, statement 2\)$/m,
	'an upgrade finding, at its line of the file');
like($out, qr/^\Q$lintfile\E:11: error: destructive-downgrade-without-export: the downgrade truncates table "lint_people".* \(downgrade, statement 2\)$/m,
	'a downgrade rule on the downgrade section, at its line of the file');
unlike($out, qr/lint_made/, 'dropping what the upgrade created is no finding');
unlike($out, qr/: truncate: /, 'the downgrade is not linted as an upgrade');
($rc, $out, $err) = run_pm('--json', 'lint', $lintfile);
is_deeply(
	[ map { "$_->{section}:$_->{line}:$_->{section_line}:$_->{rule}" } @{ decode_json($out) } ],
	[ 'upgrade:7:3:delete-or-update-without-where', 'downgrade:11:2:destructive-downgrade-without-export' ],
	'--json lint: section, line in the file and in the section, rule');
open $fh, '>', $lintfile or die;
print $fh "-- migrate:revision lint2\n-- migrate:upgrade\nCREATE TABLE lint_other (id int);\n";
close $fh;
$node->command_like(pm('lint', $lintfile), qr/^no findings in 1 file$/, 'a file without downgrade');

$node->stop;
done_testing();
