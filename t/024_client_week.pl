
# A week of work through pg_migrate, as a team coming from Alembic does it:
# a first revision, a column on a 50,000-row table, an index, a foreign key
# over orphans, two branches and a merge, downgrades, enum changes, a
# protected HR column, ad-hoc DDL in production, deploys.  Each refusal's
# hint is followed, and then the step works; the progress lines come per
# revision, the log says what ran, the JSON of a failure carries the error
# with the line of the file, and a review script comes from the folder
# alone.

use strict;
use warnings;

use File::Basename qw(dirname);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

$ENV{PGOPTIONS} = "-c client_min_messages=warning";

my $node = PostgreSQL::Test::Cluster->new('week');
$node->init;
$node->start;
for my $db ('dev', 'prod')
{
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION migrate');
}

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tempdir/migrations";

# pg_migrate against database db: exit status, stdout, stderr
sub pm_on
{
	my ($db, @args) = @_;
	my ($out, $err) = ('', '');
	local %ENV = %ENV;
	$ENV{PGHOST} = $node->host;
	$ENV{PGPORT} = $node->port;
	IPC::Run::run([ 'pg_migrate', '-d', $db, '-D', $dir, @args ],
		'>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}
sub pm { return pm_on('dev', @_); }

# The file of revision id, and its text.
sub file_of
{
	my ($id) = @_;
	for my $f (glob("$dir/*.sql"))
	{
		open my $fh, '<', $f or die;
		local $/;
		my $text = <$fh>;
		return ($f, $text) if $text =~ /^-- migrate:revision \Q$id\E$/m;
	}
	die "no file for $id";
}

sub write_text
{
	my ($f, $text) = @_;
	open my $fh, '>', $f or die;
	print $fh $text;
	close $fh;
}

# pg_migrate revision, then the SQL in place of its placeholders.
sub new_revision
{
	my ($id, $message, $up, $down, @opts) = @_;
	my ($rc, $out, $err) = pm('revision', '-m', $message, '--id', $id, @opts);
	is($rc, 0, "revision $id written") or diag($err);
	my ($f, $text) = file_of($id);
	$text =~ s/^-- the upgrade SQL$/$up/m;
	$text =~ s/^-- the downgrade SQL$/$down/m;
	write_text($f, $text);
	return $f;
}

my ($rc, $out, $err);

# Monday: the folder, a first revision, the application's rows
($rc, $out, $err) = pm('init');
like($out, qr/created directory/, 'init');
($rc, $out, $err) = pm('init');
like($out . $err, qr/exists/, 'init again says the folder exists');
new_revision('w1', 'persons and orders',
	"CREATE TYPE order_status AS ENUM ('new', 'paid');\n"
	  . "CREATE TABLE persons (id bigint PRIMARY KEY, name text NOT NULL, salary numeric);\n"
	  . "CREATE TABLE orders (id bigint PRIMARY KEY, person_id bigint NOT NULL,"
	  . " status order_status NOT NULL DEFAULT 'new');",
	"DROP TABLE orders;\nDROP TABLE persons;\nDROP TYPE order_status;");
($rc, $out, $err) = pm('upgrade');
is($rc, 0, 'first upgrade') or diag($err);
like($out, qr/^upgraded w1, persons and orders \(/m, 'a line for the revision');
$node->safe_psql('dev',
	"INSERT INTO persons SELECT g, 'person ' || g, 1000 + g FROM generate_series(1, 50000) g;"
	  . "INSERT INTO orders SELECT g, g * 3, 'new' FROM generate_series(1, 20000) g;");

# Tuesday: a column on the 50,000-row table, and an index on it
new_revision('w2', 'persons.email and its index',
	"ALTER TABLE persons ADD COLUMN email text;\nCREATE INDEX persons_email_idx ON persons (email);",
	"DROP INDEX persons_email_idx;\nALTER TABLE persons DROP COLUMN email;");
($rc, $out, $err) = pm('lint', '--pending');
is($rc, 3, 'lint --pending: an error finding, exit status 3');
like($out, qr/:7: error: require-concurrent-index-creation: CREATE INDEX on table "persons" \(about (\d+) rows\)/,
	'lint names line 7 of the file');
my ($rows) = $out =~ /about (\d+) rows/;
ok($rows >= 49000 && $rows <= 51000, "a never-analyzed 50,000-row table: about $rows rows");
($rc, $out, $err) = pm('--json', 'upgrade');
is($rc, 1, 'the upgrade is refused');
my $json = decode_json($out);
is($json->{ok}, JSON::PP::false, '--json: ok is false');
is($json->{error}{sqlstate}, 'MG302', '--json: the SQLSTATE');
like($json->{error}{hint}, qr/CONCURRENTLY/, '--json: the hint');
is($json->{error}{revision}, 'w2', '--json: the revision');
is($json->{error}{line}, 7, '--json: the line in the file');
# the hint: CONCURRENTLY, in a revision of its own marked non-transactional
my ($f2, $t2) = file_of('w2');
$t2 =~ s/^CREATE INDEX persons_email_idx ON persons \(email\);\n//m;
$t2 =~ s/^DROP INDEX persons_email_idx;\n//m;
write_text($f2, $t2);
new_revision('w3', 'index on persons.email',
	'CREATE INDEX CONCURRENTLY IF NOT EXISTS persons_email_idx ON persons (email);',
	'DROP INDEX CONCURRENTLY IF EXISTS persons_email_idx;',
	'--non-transactional');
($rc, $out, $err) = pm('upgrade');
is($rc, 0, 'following the hint, the upgrade works') or diag($err);
like($out, qr/^upgraded w2, .*\nupgraded w3, .*outside a transaction/m, 'a line per revision');

# Wednesday: a foreign key over orphans (orders of persons 50001 and up)
new_revision('w4', 'orders.person_id references persons',
	"ALTER TABLE orders ADD CONSTRAINT orders_person_fk FOREIGN KEY (person_id) REFERENCES persons;",
	"ALTER TABLE orders DROP CONSTRAINT orders_person_fk;");
($rc, $out, $err) = pm('upgrade');
is($rc, 1, 'a foreign key on a large table is refused');
like($err, qr/adding-foreign-key.*\n(?:.*\n)*.*hint: .*NOT VALID, then VALIDATE CONSTRAINT in a later revision/,
	'the hint: NOT VALID, then validate later');
my ($f4, $t4) = file_of('w4');
$t4 =~ s/REFERENCES persons;/REFERENCES persons NOT VALID;/;
write_text($f4, $t4);
new_revision('w5', 'validate orders_person_fk',
	'ALTER TABLE orders VALIDATE CONSTRAINT orders_person_fk;', '-- nothing');
# "a later revision, which runs in a transaction of its own": pg_migrate
# commits before w5, as its plan says, so the validation is not refused;
# it stops on the orphans instead
($rc, $out, $err) = pm('upgrade');
like($out, qr/^  w4, .*\n  \(commit: it validates a constraint of table "orders", which revision "w4" alters\)\n  w5, /m,
	'the plan shows the commit before w5, and why');
is($rc, 1, 'the validation fails on the orphans');
unlike($err, qr/validate-in-same-transaction/, 'not because of the same transaction');
like($err, qr/violates foreign key constraint "orders_person_fk"/, 'the orphans are named');
like($out, qr/^upgraded w4, /m, 'w4 was committed before w5 ran');
is($node->safe_psql('dev', "SELECT applied FROM migrate_show('w4')"),
	't', 'w4 stays applied');
# in SQL, one call of migrate_upgrade is one transaction: the rule stops
# the validation on a table that holds rows, and the hint says how to commit
$node->safe_psql('dev', "SELECT migrate_downgrade('w3')");
my ($sqlrc, $sqlout, $sqlerr) = $node->psql('dev', "SELECT migrate_upgrade('w5')");
like($sqlerr, qr/validate-in-same-transaction.*\n(?:.*\n)*HINT:  .*CALL migrate_apply/,
	'SQL: one call refuses it and names CALL migrate_apply');
($rc, $out, $err) = pm('upgrade', 'w4');
is($rc, 0, 'w4 again') or diag($err);
# the orphans go first, in the revision that validates
my ($f5, $t5) = file_of('w5');
$t5 =~ s/^ALTER TABLE orders VALIDATE/-- migrate:approve large-data-change orders of persons that never existed\nDELETE FROM orders o WHERE NOT EXISTS (SELECT FROM persons p WHERE p.id = o.person_id);\nALTER TABLE orders VALIDATE/m;
write_text($f5, $t5);
($rc, $out, $err) = pm('upgrade');
is($rc, 0, 'then the validation, in a later call') or diag($err);
is($node->safe_psql('dev', "SELECT convalidated FROM pg_constraint WHERE conname = 'orders_person_fk'"),
	't', 'the key is validated');

# Thursday: two branches and a merge
new_revision('w6', 'persons.phone', 'ALTER TABLE persons ADD COLUMN phone text;',
	'ALTER TABLE persons DROP COLUMN phone;');
new_revision('w7', 'orders.note', 'ALTER TABLE orders ADD COLUMN note text;',
	'ALTER TABLE orders DROP COLUMN note;', '--parents', 'w5');
($rc, $out, $err) = pm('heads');
like($out, qr/^w6 .*\nw7 /m, 'heads shows both branches of the folder');
($rc, $out, $err) = pm('upgrade');
is($rc, 1, 'head is ambiguous with two heads');
like($err, qr/hint: .*merge/, 'the hint names the merge');
($rc, $out, $err) = pm('merge', '-m', 'join phone and note', '--id', 'w8', 'heads');
is($rc, 0, 'merge heads') or diag($err);
($rc, $out, $err) = pm('upgrade');
is($rc, 0, 'upgrade through the merge') or diag($err);
$node->safe_psql('dev', "UPDATE orders SET note = 'gift' WHERE id <= 10");

# Friday morning: downgrades keep data
($rc, $out, $err) = pm('downgrade', '-1');
is($rc, 0, 'downgrade -1 at the merge point') or diag($err);
($rc, $out, $err) = pm('downgrade', 'w5');
is($rc, 1, 'a downgrade that drops orders.note is refused');
like($err, qr/column "note" of table "orders" \(10 rows with a value\)/, 'naming the column and its rows');
like($err, qr/hint: .*--force/, 'the hint: --force');
($rc, $out, $err) = pm('downgrade', 'w5', '--dry-run');
is($rc, 3, '--dry-run: exit status 3, something would stop it');
($rc, $out, $err) = pm('downgrade', 'w5', '--force');
is($rc, 0, 'with --force the data goes') or diag($err);
($rc, $out, $err) = pm('upgrade', 'heads');
is($rc, 0, 'and up again') or diag($err);

# enum changes: a value added, and used by the next revision of the call
new_revision('w9', 'order status archived',
	"ALTER TYPE order_status ADD VALUE 'archived';", '-- nothing', '--parents', 'w8');
new_revision('w10', 'archive old orders',
	"-- migrate:approve large-data-change old orders are archived\n"
	  . "UPDATE orders SET status = 'archived' WHERE id <= 100;",
	"UPDATE orders SET status = 'paid' WHERE status = 'archived';");
# in SQL, one call cannot use the value it added; the hint names the call
# that commits per revision
($rc, $out, $err) = pm('load');
is($rc, 0, 'load w9 and w10') or diag($err);
($sqlrc, $sqlout, $sqlerr) = $node->psql('dev', "SELECT migrate_upgrade('head')");
like($sqlerr, qr/unsafe use of new value "archived"(?:.*\n)*HINT:  .*CALL migrate_apply\('head'\) commits after each revision/,
	'SQL: the new value cannot be used in the call that added it; the hint names CALL migrate_apply');
# pg_migrate commits before the revision that uses it
($rc, $out, $err) = pm('upgrade');
is($rc, 0, 'pg_migrate upgrade commits between them') or diag($err);
like($out, qr/^  \(commit: it uses enum value 'archived', which revision "w9" adds\)\n  w10, /m,
	'the plan says why');
is($node->safe_psql('dev', "SELECT count(*) FROM orders WHERE status = 'archived'"),
	'100', 'both revisions ran');

# the HR column is protected, in a revision so that every database has it
new_revision('w11', 'protect persons.salary',
	"SELECT migrate_protect('persons.salary', 'written by the HR sync');",
	"SELECT migrate_unprotect('persons.salary');");
($rc, $out, $err) = pm('upgrade');
is($rc, 0, 'the protection is a revision') or diag($err);
new_revision('w12', 'salary in cents', 'ALTER TABLE persons ALTER COLUMN salary TYPE bigint USING (salary * 100)::bigint;',
	'ALTER TABLE persons ALTER COLUMN salary TYPE numeric USING salary / 100.0;');
($rc, $out, $err) = pm('upgrade');
is($rc, 1, 'a rewrite of the 50,000-row table is refused');
like($err, qr/changing-column-type.*\n.*about 50000 rows.*\n.*hint: .*-- migrate:allow changing-column-type/,
	'the hint: accept the rewrite with a marker');
my ($f12, $t12) = file_of('w12');
$t12 =~ s/^ALTER TABLE persons ALTER COLUMN salary TYPE bigint/-- migrate:allow changing-column-type rewritten at night\nALTER TABLE persons ALTER COLUMN salary TYPE bigint/m;
write_text($f12, $t12);
($rc, $out, $err) = pm('upgrade');
is($rc, 1, 'a change of the protected column is refused');
like($err, qr/hint: .*-- migrate:approve protected-object-change/, 'the hint: an approval');
$t12 =~ s/^ALTER TABLE persons ALTER COLUMN salary TYPE bigint/-- migrate:approve protected-object-change agreed with HR on Friday\nALTER TABLE persons ALTER COLUMN salary TYPE bigint/m;
write_text($f12, $t12);
($rc, $out, $err) = pm('upgrade');
is($rc, 0, 'following the hints, the change runs') or diag($err);

# ad-hoc DDL in production, then the deploy
($rc, $out, $err) = pm_on('prod', 'upgrade', '--dry-run');
is($rc, 0, 'deploy dry run: nothing would stop it') or diag($err);
like($out, qr/^plan: upgrade to "head", 12 revisions/m, 'the plan');
($rc, $out, $err) = pm_on('prod', '--json', 'upgrade', '--dry-run');
is_deeply(decode_json($out)->{commits},
	[{before => 'w5', why => q{it validates a constraint of table "orders", which revision "w4" alters}},
	 {before => 'w10', why => q{it uses enum value 'archived', which revision "w9" adds}}],
	'JSON: the commit points of the plan');
# a fresh database runs the whole history: pg_migrate commits before the
# revision that uses the new enum value, as the plan says
($rc, $out, $err) = pm_on('prod', 'upgrade');
is($rc, 0, 'the first deploy runs the whole history') or diag($err);
like($out, qr/^  \(commit: it uses enum value 'archived', which revision "w9" adds\)\n  w10, /m,
	'with a commit before w10');
($rc, $out, $err) = pm_on('prod', '--json', 'upgrade');
is_deeply(decode_json($out)->{commits}, [], 'JSON: nothing left, no commit points');
$node->safe_psql('prod', 'ALTER TABLE persons ADD COLUMN nickname text');
($rc, $out, $err) = pm_on('prod', 'drift');
is($rc, 3, 'drift: exit status 3');
like($out, qr/ALTER TABLE.*persons/, 'the hand-made change is listed');
($rc, $out, $err) = pm_on('prod', 'drift', 'ack', '--note', 'hotfix, to be written as a revision');
is($rc, 0, 'drift ack') or diag($err);
($rc, $out, $err) = pm_on('prod', 'drift');
is($rc, 0, 'no open drift');
($rc, $out, $err) = pm_on('prod', 'check');
is($rc, 0, 'check: the folder and prod agree') or diag($out . $err);

# what ran, and the review of the next deploy from the folder alone
($rc, $out, $err) = pm_on('prod', 'log', '-n', '3');
is($rc, 0, 'log');
like($out, qr/^\S+ \S+ upgrade w12 by \S+, 1 statement, [0-9.]+ ms: success\n/, 'the newest first');
is(scalar(() = $out =~ /\n/g), 3, 'three rows');
($rc, $out, $err) = pm('log', 'w5');
like($out, qr/upgrade w5 by \S+, \d+ statements?, [0-9.]+ ms: failure at statement 1: 23503 /,
	'the failed validation is in the log');
like($out, qr/\A\S+ \S+ upgrade w5 by \S+, 2 statements, [0-9.]+ ms: success\n/,
	'the success is the newest');
{
	local $ENV{PGPORT} = 1;
	my ($o, $e) = ('', '');
	IPC::Run::run([ 'pg_migrate', '-D', $dir, 'sql', 'heads', '--from', 'w8' ], '>', \$o, '2>', \$e);
	is($?, 0, 'sql --from without a database');
	like($o, qr/-- Running upgrade w8 -> w9.*-- Running upgrade w11 -> w12/s, 'the script of the next deploy');
}

# a load that fails, in JSON: the file, and the server's error
write_text("$dir/99_bad.sql", "-- migrate:revision w99\n-- migrate:parents w12\n\n-- migrate:upgrade\nBEGIN;\n");
($rc, $out, $err) = pm('--json', 'upgrade');
is($rc, 1, 'a refused file fails the upgrade');
$json = decode_json($out);
like($json->{error}{file}, qr{/99_bad\.sql$}, '--json: the refused file');
is($json->{error}{sqlstate}, 'MG109', '--json: its SQLSTATE');
like($json->{error}{detail}, qr/Statement 1 \(line 5\)/, '--json: the line in the file');
write_text("$dir/99_bad.sql", "no header at all\n");
($rc, $out, $err) = pm('--json', 'history');
is($rc, 0, 'history reads the database only');
($rc, $out, $err) = pm('--json', 'load');
$json = decode_json($out);
is($json->{ok}, JSON::PP::false, '--json: a folder the client cannot read fails');
like($json->{error}{message}, qr/is not a revision file/, '--json: the client\'s message');
is($json->{error}{sqlstate}, undef, '--json: no SQLSTATE for a client error');
unlink "$dir/99_bad.sql";

done_testing();
