# pg_migrate baseline: a database built by hand, which no tool managed,
# becomes a root revision (its pg_dump --schema-only), loaded and stamped;
# later revisions build on it, and a fresh database built from the folder
# gets the same schema as the original.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

$ENV{PGOPTIONS} = "-c client_min_messages=warning";

my $node = PostgreSQL::Test::Cluster->new('baseline');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('postgres', 'CREATE DATABASE other');

# the application, built by hand: schemas, a sequence, an enum, a view, a
# SQL function that uses a table created after it in the dump, a PL/pgSQL
# body with blank lines and a SET line (kept as they are), a trigger,
# foreign keys, an index, a grant, and rows
my $schema = <<'SQL';
CREATE ROLE app_reader;
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('ok', 'sad');
CREATE TABLE app.persons (id serial PRIMARY KEY, name text NOT NULL, mood app.mood);
CREATE TABLE public.notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person int REFERENCES app.persons, body text, created timestamptz DEFAULT now());
CREATE INDEX notes_person ON public.notes (person);
CREATE FUNCTION app.note_count() RETURNS bigint LANGUAGE sql
	BEGIN ATOMIC SELECT count(*) FROM public.notes; END;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS
	$$BEGIN NEW.created := now(); RETURN NEW; END$$;
CREATE TRIGGER notes_touch BEFORE INSERT ON public.notes
	FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE FUNCTION app.tune() RETURNS void LANGUAGE plpgsql AS $body$
BEGIN



SET work_mem = '1MB';
END
$body$;
CREATE VIEW app.sad AS SELECT name FROM app.persons WHERE mood = 'sad';
GRANT SELECT ON app.sad TO app_reader;
COMMENT ON TABLE app.persons IS 'people';
INSERT INTO app.persons (name, mood) VALUES ('ann', 'ok'), ('bob', 'sad');
INSERT INTO public.notes (person, body) VALUES (1, 'hi');
SQL
$node->safe_psql('app', $schema);
$node->safe_psql('other', 'CREATE SCHEMA app; CREATE TABLE app.x (v int); CREATE TABLE public.y (v int)');
$node->safe_psql($_, 'CREATE EXTENSION migrate') for qw(app fresh other);

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dir = "$tempdir/migrations";

sub pm
{
	my ($db, $d, @args) = @_;
	my ($out, $err) = ('', '');
	my $ok = IPC::Run::run([ 'pg_migrate', '-h', $node->host, '-p', $node->port,
			'-d', $db, '-D', $d, @args ], '>', \$out, '2>', \$err);
	return ($ok, $out, $err);
}

sub dump_schema
{
	my ($db) = @_;
	my $out = `pg_dump -s -h @{[ $node->host ]} -p @{[ $node->port ]} $db`;
	die "pg_dump $db failed" if $?;
	$out =~ s/^\\(un)?restrict .*$//mg;
	return $out;
}

my $before = dump_schema('app');

# baseline
my ($ok, $out, $err) = pm('app', $dir, 'baseline', '-m', 'adopt the app');
ok($ok, 'baseline succeeds') or diag($err);
my @files = glob("$dir/*.sql");
is(scalar @files, 1, 'one revision file is written');
like($out, qr/^\Q$files[0]\E$/m, 'its path is printed');
open my $fh, '<', $files[0] or die;
my $text = do { local $/; <$fh> };
close $fh;
my ($id) = $text =~ /^-- migrate:revision (\S+)$/m;
ok(defined $id, 'the file has a revision id');
unlike($text, qr/^-- migrate:parents/m, 'it is a root');
like($text, qr/^-- migrate:message adopt the app$/m, 'it has the message');
like($text, qr/^CREATE TABLE app\.persons \(/m, 'the upgrade holds the schema');
like($text, qr/^CREATE FUNCTION app\.note_count\(\)/m, 'functions too');
like($text, qr/^GRANT SELECT ON TABLE app\.sad TO app_reader;$/m, 'privileges too');
unlike($text, qr/^\\/m, 'no psql meta-command');
like($text, qr/^BEGIN\n\n\n\nSET work_mem = '1MB';\nEND\n/m, 'a function body is kept as it is');
unlike($text, qr/^SET (?!LOCAL check_function_bodies|work_mem = '1MB')/m, 'no SET of pg_dump\'s');
unlike($text, qr/set_config\('search_path'/, 'no search_path set_config');
unlike($text, qr/EXTENSION.*migrate/, 'not the migrate extension');
unlike($text, qr/OWNER TO/, 'no owners');
is($node->safe_psql('app', 'SELECT revision FROM migrate_current()'), $id,
	'the baseline is stamped as applied');
is($node->safe_psql('app', 'SELECT count(*) FROM app.persons'), '2', 'nothing ran: the rows are there');
is(dump_schema('app'), $before, 'the schema is unchanged');

# refusals
($ok, $out, $err) = pm('app', "$tempdir/again", 'baseline');
ok(!$ok, 'a second baseline is refused');
like($err, qr/already has applied revisions/, 'because revisions are applied');
like($err, qr/pg_migrate revision/, 'and it says what to do');
ok(!-e "$tempdir/again", 'no folder is made');
($ok, $out, $err) = pm('other', $dir, 'baseline');
ok(!$ok, 'a baseline into a folder with revision files is refused');
like($err, qr/already has revision files/, 'and says so');
is($node->safe_psql('other', 'SELECT count(*) FROM migrate_current()'), '0',
	'nothing is stamped');

# --schema: only the schemas named
($ok, $out, $err) = pm('other', "$tempdir/other", 'baseline', '--schema', 'app');
ok($ok, 'baseline --schema succeeds') or diag($err);
open $fh, '<', (glob("$tempdir/other/*.sql"))[0] or die;
$text = do { local $/; <$fh> };
close $fh;
like($text, qr/^CREATE TABLE app\.x /m, 'the schema named is dumped');
unlike($text, qr/public\.y/, 'the others are not');

# a revision after the baseline: upgrade runs only it
open $fh, '>', "$dir/99990101000000_mood_index.sql" or die;
print $fh <<"SQL";
-- migrate:revision r2
-- migrate:parents $id
-- migrate:message index on mood

-- migrate:upgrade
CREATE INDEX persons_mood ON app.persons (mood);
ALTER TABLE app.persons ADD COLUMN email text;

-- migrate:downgrade
ALTER TABLE app.persons DROP COLUMN email;
DROP INDEX app.persons_mood;
SQL
close $fh;
($ok, $out, $err) = pm('app', $dir, 'upgrade', 'heads');
ok($ok, 'upgrade after the baseline succeeds') or diag($err);
like($out, qr/r2/, 'it runs the new revision');
unlike($out, qr/\Q$id\E.*adopt/, 'and not the baseline');
is($node->safe_psql('app', 'SELECT revision FROM migrate_current()'), 'r2', 'r2 is current');

# a fresh database built from the folder has the same schema
($ok, $out, $err) = pm('fresh', $dir, 'upgrade', 'heads');
ok($ok, 'a fresh database upgrades from the folder') or diag($err);
is($node->safe_psql('fresh', 'SELECT count(*) FROM app.persons'), '0', 'without the rows');
is(dump_schema('fresh'), dump_schema('app'), 'pg_dump -s of the fresh database is the original\'s');

# downgrade base only unrecords the baseline
($ok, $out, $err) = pm('fresh', $dir, 'downgrade', 'base');
ok($ok, 'downgrade to base succeeds') or diag($err);
is($node->safe_psql('fresh', 'SELECT count(*) FROM migrate_current()'), '0', 'nothing is applied');
is($node->safe_psql('fresh', "SELECT to_regclass('app.persons') IS NOT NULL"), 't',
	'the baseline\'s schema stays');

$node->stop;
done_testing();
