# The folder and the database agree: pg_migrate check compares them (files
# changed, edited or not loaded, revisions without a file) and exits 3 on
# any difference; pg_migrate forget removes an unapplied revision; heads,
# branches and merge heads see the folder before it is loaded; a downgrade
# below a revision whose file changed uses the stored downgrade; the
# folder's digest spares a run that changes nothing the sending of every
# file, and any change that a load would take still reaches the database.

use strict;
use warnings;

use File::Basename qw(dirname);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

$ENV{PGOPTIONS} = "-c client_min_messages=warning";

if (!$ENV{PG_REGRESS})
{
	my $pgxs = `pg_config --pgxs`;
	chomp $pgxs;
	$ENV{PG_REGRESS} = dirname($pgxs) . '/../test/regress/pg_regress';
}

my $node = PostgreSQL::Test::Cluster->new('folder');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', 'CREATE EXTENSION migrate');

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tempdir/migrations";
mkdir $dir or die;

sub run_pm
{
	my ($out, $err) = ('', '');
	local %ENV = %ENV;
	$ENV{PGHOST} = $node->host;
	$ENV{PGPORT} = $node->port;
	$ENV{XDG_CACHE_HOME} = "$tempdir/cache";
	IPC::Run::run([ 'pg_migrate', '-d', 'app', '-D', $dir, @_ ],
		'>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

sub revision
{
	my ($name, $id, $parent, $up, $down) = @_;
	open my $fh, '>', "$dir/$name.sql" or die;
	print $fh "-- migrate:revision $id\n";
	print $fh "-- migrate:parents $parent\n" if $parent;
	print $fh "-- migrate:message $name\n\n-- migrate:upgrade\n$up\n\n-- migrate:downgrade\n$down\n";
	close $fh;
}

revision('001_one', 'f1', undef, 'CREATE TABLE one (id int);', 'DROP TABLE one;');
revision('002_two', 'f2', 'f1', 'CREATE TABLE two (id int);', 'DROP TABLE two;');
my ($rc, $out, $err) = run_pm('check');
is($rc, 3, 'check before the first load: exit status 3');
like($out, qr/^file_not_loaded f1: File ".*001_one.sql" is not loaded/m,
	'check names the files not loaded');

($rc, $out, $err) = run_pm('upgrade');
is($rc, 0, 'upgrade');
($rc, $out, $err) = run_pm('check');
is($rc, 0, 'check when the folder and the database agree');
like($out, qr/^no problems$/, 'no problems');

# an applied revision's file changes
revision('002_two', 'f2', 'f1', 'CREATE TABLE two (id bigint);', 'DROP TABLE two;');
($rc, $out, $err) = run_pm('check');
is($rc, 3, 'a changed file of an applied revision: exit status 3');
like($out, qr/^file_changed f2: File ".*002_two.sql" differs from the applied revision/m,
	'check names the changed file');
($rc, $out, $err) = run_pm('--json', 'check');
is(decode_json($out)->[0]{problem}, 'file_changed', 'check --json');

# only the message and a comment: edited
revision('001_one', 'f1', undef, "-- a note\nCREATE TABLE one (id int);", 'DROP TABLE one;');
($rc, $out, $err) = run_pm('check');
like($out, qr/^file_edited f1: /m, 'a comment is an edit');

# a downgrade below the changed revision uses the stored downgrade
($rc, $out, $err) = run_pm('downgrade', 'f1');
is($rc, 0, 'downgrade below a changed revision') or diag($err);
like($err, qr/warning: file ".*002_two.sql" of applied revision "f2" changed since it was applied; not loading it/,
	'the downgrade says it leaves the changed file out');
like($err, qr/the downgrade SQL stored in the database/, 'and uses the stored SQL');
is($node->safe_psql('app', "SELECT to_regclass('two') IS NULL"), 't',
	'the stored downgrade ran');
($rc, $out, $err) = run_pm('check');
like($out, qr/^file_changed f2: .*not applied: the next load takes it/m,
	'unapplied now, the change is for the next load');

# a new branch in the folder is seen before it is loaded
($rc, $out, $err) = run_pm('load');
revision('003_three', 'f3', 'f2', 'CREATE TABLE three (id int);', 'DROP TABLE three;');
revision('004_four', 'f4', 'f1', 'CREATE TABLE four (id int);', 'DROP TABLE four;');
($rc, $out, $err) = run_pm('heads');
is($rc, 0, 'heads');
like($out, qr/^f3 \(head\), 003_three$/m, 'heads shows a head of the folder');
like($out, qr/^f4 \(head\), 004_four$/m, 'and the other');
($rc, $out, $err) = run_pm('branches');
like($out, qr/^f1 \(branchpoint\), 001_one\n    -> f2, f4$/m, 'branches sees the folder');
is($node->safe_psql('app', "SELECT count(*) FROM migrate.revision WHERE id IN ('f3', 'f4')"),
	'0', 'heads and branches load nothing');

($rc, $out, $err) = run_pm('merge', '-m', 'join', '--id', 'fm', 'heads');
is($rc, 0, 'merge heads') or diag($err);
my ($merge) = glob("$dir/*_join.sql");
like(slurp_file($merge), qr/^-- migrate:parents f3 f4$/m, 'merge heads joins every head of the folder');
($rc, $out, $err) = run_pm('merge', '-m', 'again', 'heads');
is($rc, 1, 'merge heads with one head');
like($err, qr/has 1 head, nothing to merge/, 'merge heads with one head: the error');

# files deleted after a load: the database keeps the revisions until forgotten
($rc, $out, $err) = run_pm('load');
is($rc, 0, 'load');
unlink $merge or die;
unlink "$dir/003_three.sql" or die;
$node->safe_psql('app', "SELECT migrate_revision('by hand', 'SELECT 1', 'SELECT 1', parents => '{f4}', id => 'fh')");
($rc, $out, $err) = run_pm('check');
is($rc, 3, 'revisions without a file: exit status 3');
like($out, qr/^missing_file fm: Revision fm is loaded but not applied, and no file .* "pg_migrate forget fm" removes it\.$/m,
	'check names a revision without a file');
like($out, qr/^missing_file fh: /m, 'and one created in SQL');

($rc, $out, $err) = run_pm('forget', 'f3');
is($rc, 1, 'forget a revision that another depends on');
like($err, qr/cannot forget revision "f3" because other revisions depend on it.*Revision "fm" has it as parent/s,
	'forget names the dependent');
($rc, $out, $err) = run_pm('forget', 'f1');
is($rc, 1, 'forget an applied revision');
like($err, qr/cannot forget revision "f1" because it is applied/, 'forget refuses an applied revision');
for my $id ('fm', 'f3', 'fh')
{
	($rc, $out, $err) = run_pm('forget', $id);
	is($rc, 0, "forget $id") or diag($err);
}
like($out, qr/^forgot revision fh$/, 'forget says what it did');
is($node->safe_psql('app', "SELECT string_agg(revision, ',' ORDER BY id) FROM migrate.log WHERE direction = 'forget'"),
	'fm,f3,fh', 'each forget is logged');
($rc, $out, $err) = run_pm('forget', 'f4');
like($err, qr/warning: ".*" still has a file of revision "f4": the next load adds it again/,
	'forget warns when the folder still has the file');

($rc, $out, $err) = run_pm('load');
($rc, $out, $err) = run_pm('upgrade', 'heads');
is($rc, 0, 'upgrade heads') or diag($err);
($rc, $out, $err) = run_pm('check');
is($out, "multiple_heads: There are 2 heads: f2, f4.\n",
	'the folder and the database agree again: only the two heads remain');

# The folder's digest: a run whose folder is the one last loaded, with no
# revision changed since, sends no file; any change of a file that a load
# would take, a file added or removed, or a change of the revisions in the
# database makes the next run load the folder again.
sub unchanged
{
	my ($err) = @_;
	return $err =~ /the \d+ revision files of ".*" are loaded as they are/;
}
sub sent_files
{
	return $node->safe_psql('app',
		"SELECT calls FROM pg_stat_user_functions WHERE funcname = 'migrate_load_file'") || 0;
}
$node->safe_psql('app', q{ALTER DATABASE app SET track_functions = 'all'});
is($node->safe_psql('app', 'SELECT count(*) FROM migrate.loaded_folder'), '1',
	'the last load noted the folder');
($rc, $out, $err) = run_pm('-v', 'upgrade', 'heads');
is($rc, 0, 'a no-op upgrade') or diag($err);
ok(unchanged($err), 'the same folder: no file sent');
like($out, qr/^nothing to upgrade: "heads" is applied$/m, 'nothing to upgrade');

# a comment added to an applied revision's file: loaded
revision('001_one', 'f1', undef, "-- a note\n-- another note\nCREATE TABLE one (id int);", 'DROP TABLE one;');
($rc, $out, $err) = run_pm('-v', 'upgrade', 'heads');
is($rc, 0, 'upgrade after a comment changed') or diag($err);
ok(!unchanged($err), 'a changed comment: the folder is loaded again');
like($node->safe_psql('app', "SELECT upgrade FROM migrate.revision WHERE id = 'f1'"),
	qr/another note/, 'and the edit is stored');
# a backend reports its calls when it ends: wait for them
ok($node->poll_query_until('app',
	"SELECT calls > 0 FROM pg_stat_user_functions WHERE funcname = 'migrate_load_file'"),
	'the load called migrate_load_file');
my $sent = sent_files();
($rc, $out, $err) = run_pm('-v', 'upgrade', 'heads');
ok(unchanged($err), 'then the folder is unchanged again');
is(sent_files(), $sent, 'and migrate_load_file is not called');

# a marker line only: loaded
open my $fh, '>>', "$dir/002_two.sql" or die;
print $fh "-- migrate:allow drop-table\n";
close $fh;
($rc, $out, $err) = run_pm('-v', 'load');
is($rc, 0, 'load after a marker line was added') or diag($err);
ok(!unchanged($err), 'a marker line: the folder is loaded again');
like($node->safe_psql('app', "SELECT downgrade FROM migrate.revision WHERE id = 'f2'"),
	qr/migrate:allow drop-table/, 'and the marker is stored');

# a file added: loaded and applied
revision('005_five', 'f5', 'f4', 'CREATE TABLE five (id int);', 'DROP TABLE five;');
($rc, $out, $err) = run_pm('-v', 'upgrade', 'heads');
is($rc, 0, 'upgrade after a file was added') or diag($err);
ok(!unchanged($err), 'a new file: the folder is loaded');
is($node->safe_psql('app', "SELECT to_regclass('five') IS NOT NULL"), 't',
	'the new revision is applied');

# the SQL of an applied revision changed: the load refuses it
revision('005_five', 'f5', 'f4', 'CREATE TABLE five (id bigint);', 'DROP TABLE five;');
($rc, $out, $err) = run_pm('upgrade', 'heads');
isnt($rc, 0, 'a changed applied revision is noticed');
like($err, qr/005_five\.sql/, 'and its file named');
($rc, $out, $err) = run_pm('check');
like($out, qr/^file_changed f5: /m, 'check reports it');
revision('005_five', 'f5', 'f4', 'CREATE TABLE five (id int);', 'DROP TABLE five;');
($rc, $out, $err) = run_pm('-v', 'upgrade', 'heads');
ok(unchanged($err), 'the file restored: the folder is the one loaded last (the refused load noted nothing)');

# the SQL of an unapplied revision changed: the load takes it
revision('006_six', 'f6', 'f5', 'CREATE TABLE six (id int);', 'DROP TABLE six;');
($rc, $out, $err) = run_pm('load');
is($rc, 0, 'load an unapplied revision');
revision('006_six', 'f6', 'f5', 'CREATE TABLE six (id int, v text);', 'DROP TABLE six;');
($rc, $out, $err) = run_pm('-v', 'upgrade', 'heads');
ok(!unchanged($err), 'an unapplied revision changed: loaded');
is($node->safe_psql('app', "SELECT count(*) FROM pg_attribute WHERE attrelid = 'six'::regclass AND attname = 'v'"),
	'1', 'the upgrade ran the changed SQL');

# a file removed: the folder differs, and check says what the database has
revision('007_seven', 'f7', 'f6', 'CREATE TABLE seven (id int);', 'DROP TABLE seven;');
($rc, $out, $err) = run_pm('load');
($rc, $out, $err) = run_pm('-v', 'load');
ok(unchanged($err), 'loaded as it is');
unlink "$dir/007_seven.sql" or die;
($rc, $out, $err) = run_pm('-v', 'load');
ok(!unchanged($err), 'a file removed: the folder differs');
($rc, $out, $err) = run_pm('check');
like($out, qr/^missing_file f7: /m, 'check names the revision without a file');
($rc, $out, $err) = run_pm('forget', 'f7');
is($rc, 0, 'forget it');

# a change of the revisions in the database: the note goes
($rc, $out, $err) = run_pm('-v', 'load');
ok(!unchanged($err), 'forget changed the revisions: loaded again');
($rc, $out, $err) = run_pm('-v', 'load');
ok(unchanged($err), 'then unchanged');
$node->safe_psql('app', "UPDATE migrate.revision SET message = 'by hand' WHERE id = 'f6'");
($rc, $out, $err) = run_pm('-v', 'load');
ok(!unchanged($err), 'a revision changed in SQL: loaded again');
is($node->safe_psql('app', "SELECT message FROM migrate.revision WHERE id = 'f6'"),
	'006_six', 'and the file wins again');

# an upgrade changes the applied set only: the note stays
($rc, $out, $err) = run_pm('upgrade', 'heads');
is($rc, 0, 'upgrade heads') or diag($err);
($rc, $out, $err) = run_pm('-v', 'upgrade', 'heads');
ok(unchanged($err), 'an upgrade keeps the note');

# a downgrade that leaves a changed file out notes nothing
my $noted = $node->safe_psql('app', 'SELECT digest FROM migrate.loaded_folder');
revision('006_six', 'f6', 'f5', 'CREATE TABLE six (id int, w text);', 'DROP TABLE six;');
($rc, $out, $err) = run_pm('downgrade', 'f5');
is($rc, 0, 'downgrade below a changed revision') or diag($err);
is($node->safe_psql('app', 'SELECT digest FROM migrate.loaded_folder'), $noted,
	'the downgrade did not note the folder');
($rc, $out, $err) = run_pm('-v', 'upgrade', 'heads');
ok(!unchanged($err), 'the next upgrade loads the folder');
is($node->safe_psql('app', "SELECT count(*) FROM pg_attribute WHERE attrelid = 'six'::regclass AND attname = 'w'"),
	'1', 'and runs the changed SQL');

# The digest cache: files last changed over 2 seconds ago have their digest
# kept by their signature, and the next run reads no file; a file changed
# since (here: the same size, its modification time set back; the change
# time cannot be) is read.
sub read_no_file
{
	my ($err) = @_;
	return $err =~ /are loaded as they are \(folder sha256:[0-9a-f]+, files unchanged since they were read\)/;
}
sleep 3;
($rc, $out, $err) = run_pm('-v', 'load');
is($rc, 0, 'load aged files') or diag($err);
ok(!read_no_file($err), 'the first run reads the files');
my @cached = glob("$tempdir/cache/pg_migrate/*");
is(scalar @cached, 1, 'and keeps the digest in one cache file');
($rc, $out, $err) = run_pm('-v', 'upgrade', 'heads');
is($rc, 0, 'a no-op upgrade') or diag($err);
ok(read_no_file($err), 'the next run reads no file');

my $text = slurp_file("$dir/001_one.sql");
(my $changed = $text) =~ s/-- a note/-- b note/ or die;
is(length($changed), length($text), 'a change of the same size');
open $fh, '>', "$dir/001_one.sql" or die;
print $fh $changed;
close $fh;
my $written = time;
my $mtime = (stat "$dir/002_two.sql")[9];
utime $mtime, $mtime, "$dir/001_one.sql" or die;
($rc, $out, $err) = run_pm('-v', 'load');
is($rc, 0, 'load after the change') or diag($err);
ok(!unchanged($err), 'the changed file is read and the folder loaded');
like($node->safe_psql('app', "SELECT upgrade FROM migrate.revision WHERE id = 'f1'"),
	qr/b note/, 'and the change is stored');
($rc, $out, $err) = run_pm('-v', 'load');
if (time - $written <= 1)
{
	ok(unchanged($err) && !read_no_file($err),
		'a file changed within the last 2 seconds: its signature is not kept');
}
else
{
	pass('(the machine took over a second: the 2-second window is not checked)');
}

open $fh, '>', $cached[0] or die;
print $fh "not a cache line\n";
close $fh;
($rc, $out, $err) = run_pm('-v', 'upgrade', 'heads');
is($rc, 0, 'a cache file that says something else is no error') or diag($err);
ok(unchanged($err) && !read_no_file($err), 'but a miss');

done_testing();
