--
-- lint: every static rule of the catalogue, with a statement it must flag
-- and the near miss (the safe alternative) it must not flag
--
CREATE EXTENSION migrate;

-- findings of a text linted without the catalogs (live => false), so that
-- the tables named below need not exist
CREATE FUNCTION l(sql text, transactional boolean DEFAULT true,
	downgrade boolean DEFAULT false)
RETURNS TABLE (rule text, severity text, stmt int, line int, message text)
LANGUAGE sql AS $$
	SELECT rule, severity, statement, line, message
	  FROM migrate_lint(sql, transactional, downgrade, live => false)
$$;
-- the rule ids only: '' when nothing is found
CREATE FUNCTION ids(sql text, transactional boolean DEFAULT true,
	downgrade boolean DEFAULT false)
RETURNS text
LANGUAGE sql AS $$
	SELECT coalesce(string_agg(rule, ', ' ORDER BY statement, rule), '')
	  FROM migrate_lint(sql, transactional, downgrade, live => false)
$$;

-- the timeout rules fire on nearly every text below; they are tested on
-- their own at the end
SELECT migrate_rule_set('require-lock-timeout', 'off');
SELECT migrate_rule_set('require-statement-timeout', 'off');

-- 1 adding-required-column
SELECT * FROM l('ALTER TABLE accounts ADD COLUMN region text NOT NULL');
SELECT * FROM l('ALTER TABLE accounts ADD COLUMN id2 bigint PRIMARY KEY');
SELECT ids('ALTER TABLE accounts ADD COLUMN region text NOT NULL DEFAULT ''eu''');
SELECT ids('ALTER TABLE accounts ADD COLUMN region text');
SELECT ids('CREATE TABLE t (a int); ALTER TABLE t ADD COLUMN region text NOT NULL');

-- 2 adding-column-volatile-default
SELECT * FROM l('ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid()');
SELECT * FROM l('ALTER TABLE accounts ADD COLUMN at timestamptz DEFAULT clock_timestamp() + interval ''1 day''');
SELECT ids('ALTER TABLE accounts ADD COLUMN at timestamptz DEFAULT now()');
SELECT ids('ALTER TABLE accounts ADD COLUMN n int DEFAULT 10');
SELECT ids('ALTER TABLE accounts ADD COLUMN token uuid; ALTER TABLE accounts ALTER COLUMN token SET DEFAULT gen_random_uuid()');
SELECT * FROM l('CREATE DOMAIN posint AS int CONSTRAINT posint_check CHECK (VALUE > 0); ALTER TABLE accounts ADD COLUMN n posint');
-- a function of the text: volatile unless declared otherwise
SELECT ids('CREATE FUNCTION f() RETURNS int LANGUAGE sql AS ''SELECT 1''; ALTER TABLE accounts ADD COLUMN n int DEFAULT f()');
SELECT ids('CREATE FUNCTION f() RETURNS int LANGUAGE sql IMMUTABLE AS ''SELECT 1''; ALTER TABLE accounts ADD COLUMN n int DEFAULT f()');

-- 3 adding-serial-or-identity-column (bigserial also gets prefer-identity)
SELECT * FROM l('ALTER TABLE accounts ADD COLUMN seq bigserial');
SELECT * FROM l('ALTER TABLE accounts ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY');
SELECT ids('ALTER TABLE accounts ADD COLUMN seq bigint');

-- 4 adding-stored-generated-column
SELECT * FROM l('ALTER TABLE accounts ADD COLUMN total numeric GENERATED ALWAYS AS (net + tax) STORED');
SELECT ids('ALTER TABLE accounts ADD COLUMN total numeric');

-- 5 setting-not-null
SELECT * FROM l('ALTER TABLE accounts ALTER COLUMN email SET NOT NULL');
SELECT ids('ALTER TABLE accounts ADD CONSTRAINT accounts_email_nn CHECK (email IS NOT NULL) NOT VALID');
SELECT ids('CREATE TABLE t (a int); ALTER TABLE t ALTER COLUMN a SET NOT NULL');

-- 6 dropping-not-null
SELECT * FROM l('ALTER TABLE accounts ALTER COLUMN email DROP NOT NULL');
SELECT ids('CREATE TABLE t (a int NOT NULL); ALTER TABLE t ALTER COLUMN a DROP NOT NULL');

-- 7 changing-column-type
SELECT * FROM l('ALTER TABLE accounts ALTER COLUMN id TYPE bigint');
SELECT ids('ALTER TABLE accounts ADD COLUMN id_new bigint');
SELECT ids('ALTER TABLE accounts ADD COLUMN code int; ALTER TABLE accounts ALTER COLUMN code TYPE bigint');

-- 8 renaming-column
SELECT * FROM l('ALTER TABLE accounts RENAME COLUMN email TO mail');
SELECT ids('CREATE TABLE t (a int); ALTER TABLE t RENAME COLUMN a TO b');

-- 9 renaming-table
SELECT * FROM l('ALTER TABLE accounts RENAME TO users; ALTER VIEW v RENAME TO w');
SELECT ids('CREATE VIEW users AS SELECT * FROM accounts');
SELECT ids('CREATE TABLE t (a int); ALTER TABLE t RENAME TO t2; ALTER TABLE t2 ADD COLUMN b int NOT NULL');

-- 10 renaming-schema
SELECT * FROM l('ALTER SCHEMA app RENAME TO core');
SELECT ids('CREATE SCHEMA app2; ALTER SCHEMA app2 RENAME TO app3');

-- 11 dropping-column
SELECT * FROM l('ALTER TABLE accounts DROP COLUMN email');
SELECT ids('ALTER TABLE accounts ADD COLUMN tmp int; ALTER TABLE accounts DROP COLUMN tmp');

-- 12 dropping-table
SELECT * FROM l('DROP TABLE accounts; DROP VIEW IF EXISTS v; DROP SEQUENCE s');
SELECT ids('CREATE TABLE scratch (a int); DROP TABLE scratch');

-- 13 dropping-schema
SELECT * FROM l('DROP SCHEMA app');
SELECT ids('CREATE SCHEMA tmp; DROP SCHEMA tmp');

-- 14 dropping-database (it cannot run in a transaction either)
SELECT * FROM l('DROP DATABASE app', transactional => false);
SELECT ids('ALTER DATABASE app SET work_mem = ''64MB''', transactional => false);

-- 15 drop-cascade
SELECT * FROM l('DROP TABLE accounts CASCADE');
SELECT * FROM l('TRUNCATE accounts CASCADE');
SELECT * FROM l('ALTER TABLE accounts DROP CONSTRAINT accounts_email_key CASCADE');
SELECT ids('CREATE TABLE s (a int); DROP TABLE s CASCADE');
SELECT ids('ALTER TABLE accounts DROP CONSTRAINT accounts_email_key');

-- 17 adding-foreign-key
SELECT * FROM l('ALTER TABLE orders ADD CONSTRAINT orders_account_fkey FOREIGN KEY (account_id) REFERENCES accounts');
SELECT * FROM l('ALTER TABLE orders ADD COLUMN account_id bigint CONSTRAINT orders_account_fkey REFERENCES accounts');
SELECT ids('ALTER TABLE orders ADD CONSTRAINT orders_account_fkey FOREIGN KEY (account_id) REFERENCES accounts NOT VALID');
SELECT ids('CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint CONSTRAINT items_order_fkey REFERENCES orders)');

-- 18 adding-check-constraint
SELECT * FROM l('ALTER TABLE accounts ADD CONSTRAINT accounts_age_check CHECK (age >= 0)');
SELECT * FROM l('ALTER TABLE accounts ADD COLUMN age int CONSTRAINT accounts_age_check CHECK (age >= 0)');
SELECT ids('ALTER TABLE accounts ADD CONSTRAINT accounts_age_check CHECK (age >= 0) NOT VALID');

-- 19 validate-in-same-transaction
SELECT * FROM l('ALTER TABLE accounts ADD CONSTRAINT accounts_age_check CHECK (age >= 0) NOT VALID;
ALTER TABLE accounts VALIDATE CONSTRAINT accounts_age_check');
SELECT * FROM l('ALTER TABLE accounts ADD COLUMN note text; ALTER TABLE accounts VALIDATE CONSTRAINT accounts_age_check');
SELECT ids('ALTER TABLE accounts VALIDATE CONSTRAINT accounts_age_check');
-- in separate transactions of a text for another runner
SELECT ids('BEGIN; ALTER TABLE accounts ADD CONSTRAINT accounts_age_check CHECK (age >= 0) NOT VALID; COMMIT;
BEGIN; ALTER TABLE accounts VALIDATE CONSTRAINT accounts_age_check; COMMIT;', transactional => false);

-- 20 adding-unique-constraint
SELECT * FROM l('ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email)');
SELECT * FROM l('ALTER TABLE accounts ADD COLUMN code text CONSTRAINT accounts_code_key UNIQUE');
SELECT ids('ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE USING INDEX accounts_email_idx');

-- 21 adding-primary-key
SELECT * FROM l('ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY (id)');
SELECT ids('ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_id_idx');

-- 23 adding-exclusion-constraint
SELECT * FROM l('ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)');
SELECT ids('CREATE TABLE b (room int, during tstzrange); ALTER TABLE b ADD CONSTRAINT b_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)');

-- 24 unnamed-constraint-or-index
SELECT * FROM l('CREATE TABLE t (a int UNIQUE, b int CHECK (b > 0), c bigint REFERENCES accounts, PRIMARY KEY (a))');
SELECT * FROM l('ALTER TABLE accounts ADD CHECK (age > 0) NOT VALID');
SELECT * FROM l('CREATE INDEX CONCURRENTLY ON accounts (email)', transactional => false);
SELECT ids('CREATE TABLE t (a bigint CONSTRAINT t_a_key UNIQUE, b int CONSTRAINT t_b_check CHECK (b > 0), PRIMARY KEY (a))');

-- 25 domain-constraint
SELECT * FROM l('CREATE DOMAIN posint AS int CHECK (VALUE > 0)');
SELECT * FROM l('ALTER DOMAIN posint ADD CONSTRAINT posint_small CHECK (VALUE < 100)');
SELECT ids('CREATE DOMAIN label AS text');
SELECT ids('ALTER DOMAIN posint ADD CONSTRAINT posint_small CHECK (VALUE < 100) NOT VALID');

-- 26 require-concurrent-index-creation
SELECT * FROM l('CREATE INDEX accounts_email_idx ON accounts (email)');
SELECT ids('CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_email_idx ON accounts (email)', transactional => false);
SELECT ids('CREATE TABLE t (a int); CREATE INDEX t_a_idx ON t (a)');

-- 27 require-concurrent-index-deletion
SELECT * FROM l('DROP INDEX accounts_email_idx');
SELECT ids('DROP INDEX CONCURRENTLY IF EXISTS accounts_email_idx', transactional => false);
SELECT ids('CREATE TABLE t (a int); CREATE INDEX t_a_idx ON t (a); DROP INDEX t_a_idx');

-- 28 concurrently-in-transaction
SELECT * FROM l('CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_email_idx ON accounts (email)');
SELECT * FROM l('BEGIN; DROP INDEX CONCURRENTLY IF EXISTS accounts_email_idx; COMMIT;', transactional => false);
SELECT * FROM l('REINDEX (CONCURRENTLY) INDEX accounts_email_idx; ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY');
SELECT ids('REINDEX (CONCURRENTLY) INDEX accounts_email_idx; ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY', transactional => false);

-- 30 require-concurrent-reindex
SELECT * FROM l('REINDEX TABLE accounts; REINDEX INDEX accounts_email_idx; REINDEX SCHEMA app', transactional => false);
SELECT ids('REINDEX (CONCURRENTLY, VERBOSE) TABLE accounts', transactional => false);

-- 31 ban-cluster-vacuum-full
SELECT * FROM l('CLUSTER accounts USING accounts_pkey; VACUUM (FULL, ANALYZE) accounts; VACUUM FULL', transactional => false);
SELECT ids('VACUUM (ANALYZE) accounts; VACUUM (FULL false) accounts; ANALYZE accounts', transactional => false);

-- 32 adding-enum-value
SELECT * FROM l('ALTER TYPE mood ADD VALUE ''meh''; ALTER TYPE mood ADD VALUE ''ok'' BEFORE ''happy''');
SELECT ids('CREATE TYPE mood2 AS ENUM (''sad''); ALTER TYPE mood2 ADD VALUE ''happy''');

-- 33 removing-enum-value (DROP TYPE of an enum: see lint_catalog)
SELECT * FROM l('DELETE FROM pg_catalog.pg_enum WHERE enumlabel = ''meh''');
SELECT ids('SELECT enumlabel FROM pg_enum');

-- 34 renaming-enum-value
SELECT * FROM l('ALTER TYPE mood RENAME VALUE ''sad'' TO ''blue''');
SELECT ids('CREATE TYPE mood2 AS ENUM (''sad''); ALTER TYPE mood2 RENAME VALUE ''sad'' TO ''blue''');

-- 37 transaction-control-in-migration
SELECT * FROM l('BEGIN; SAVEPOINT a; ROLLBACK TO a; COMMIT', transactional => false);
SELECT ids('SELECT 1', transactional => false);

-- 38 long-lock-hold-after-ael
SELECT * FROM l('ALTER TABLE accounts ADD COLUMN flag boolean; UPDATE orders SET total = 0 WHERE id = 1; ALTER TABLE orders ADD COLUMN note text');
SELECT * FROM l('ALTER TABLE accounts ALTER COLUMN email SET STATISTICS 500; SELECT count(*) FROM accounts; ALTER TABLE accounts RENAME COLUMN email TO mail; SELECT count(*) FROM orders');
SELECT ids('UPDATE orders SET total = 0 WHERE id = 1; ALTER TABLE accounts ADD COLUMN flag boolean');
SELECT ids('ALTER TABLE accounts ADD COLUMN flag boolean; SELECT 1; CREATE TABLE t (a int); INSERT INTO t VALUES (1)');

-- 39 mixed-ddl-dml-same-table
SELECT * FROM l('ALTER TABLE accounts ADD COLUMN flag boolean; UPDATE accounts SET flag = true WHERE id < 100; UPDATE accounts SET flag = false WHERE id >= 100');
SELECT * FROM l('INSERT INTO accounts (id) VALUES (1); CREATE INDEX accounts_id_idx ON accounts (id)');
SELECT ids('CREATE TABLE t (a int); INSERT INTO t VALUES (1); ALTER TABLE t ADD COLUMN b int');
SELECT ids('BEGIN; ALTER TABLE accounts ADD COLUMN flag boolean; COMMIT; UPDATE accounts SET flag = true WHERE id < 100;', transactional => false);

-- 40 delete-or-update-without-where
SELECT * FROM l('DELETE FROM accounts; UPDATE accounts SET flag = true');
SELECT ids('DELETE FROM accounts WHERE id = 1; UPDATE accounts SET flag = true WHERE id = 1');
SELECT ids('CREATE TABLE t (a int); INSERT INTO t VALUES (1); UPDATE t SET a = 2; DELETE FROM t');

-- 42 truncate
SELECT * FROM l('TRUNCATE accounts, orders');
SELECT ids('CREATE TABLE t (a int); TRUNCATE t');

-- 43 adding-trigger
SELECT * FROM l('CREATE TRIGGER accounts_audit AFTER UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION audit()');
SELECT ids('CREATE TABLE t (a int); CREATE TRIGGER t_audit AFTER UPDATE ON t FOR EACH ROW EXECUTE FUNCTION audit()');

-- 44 disabling-triggers
SELECT * FROM l('ALTER TABLE accounts DISABLE TRIGGER ALL; ALTER TABLE accounts DISABLE TRIGGER accounts_audit; SET session_replication_role = replica');
SELECT ids('ALTER TABLE accounts ENABLE TRIGGER accounts_audit; SET session_replication_role = origin');

-- 45 set-tablespace
SELECT * FROM l('ALTER TABLE accounts SET TABLESPACE fast; ALTER TABLE ALL IN TABLESPACE slow SET TABLESPACE fast');
SELECT ids('CREATE TABLE t (a int); ALTER TABLE t SET TABLESPACE fast');

-- 46 set-logged-unlogged
SELECT * FROM l('ALTER TABLE accounts SET UNLOGGED; ALTER TABLE orders SET LOGGED');
SELECT ids('CREATE UNLOGGED TABLE t (a int); ALTER TABLE t SET LOGGED');

-- 47 set-access-method (the same method: see lint_catalog)
SELECT * FROM l('ALTER TABLE accounts SET ACCESS METHOD heap2');
SELECT ids('CREATE TABLE t (a int); ALTER TABLE t SET ACCESS METHOD heap2');

-- 48 require-concurrent-partition-detach
SELECT * FROM l('ALTER TABLE events DETACH PARTITION events_2020');
SELECT ids('ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY', transactional => false);

-- 50 grant-revoke-change
SELECT * FROM l('REVOKE SELECT ON accounts FROM app; GRANT SELECT ON accounts TO PUBLIC; REVOKE app FROM alice; ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC');
SELECT ids('GRANT SELECT ON accounts TO reporting; GRANT app TO alice');
SELECT ids('CREATE TABLE t (a int); REVOKE ALL ON t FROM PUBLIC; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS ''SELECT 1''; REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC');

-- 51 row-level-security-change
SELECT * FROM l('ALTER TABLE accounts ENABLE ROW LEVEL SECURITY; CREATE POLICY accounts_own ON accounts USING (owner = current_user)');
SELECT ids('CREATE TABLE t (a int); CREATE POLICY t_all ON t USING (true); ALTER TABLE t ENABLE ROW LEVEL SECURITY');

-- 53 destructive-downgrade-without-export (in a downgrade it replaces
-- dropping-table, dropping-column, dropping-schema, truncate and
-- delete-or-update-without-where)
SELECT * FROM l('DROP TABLE accounts; ALTER TABLE orders DROP COLUMN note; TRUNCATE items; DELETE FROM logs; DROP SCHEMA app', downgrade => true);
SELECT ids('CREATE TABLE archive_accounts AS SELECT * FROM accounts; DROP TABLE accounts', downgrade => true);
SELECT ids('COPY accounts TO ''/tmp/accounts.csv''; DROP TABLE accounts', downgrade => true);

-- 55 prefer-text-over-varchar (info)
SELECT * FROM l('CREATE TABLE t (name varchar(50), code varchar)');
SELECT ids('CREATE TABLE t (name text CONSTRAINT t_name_len CHECK (char_length(name) <= 50))');

-- 56 ban-char-field
SELECT * FROM l('CREATE TABLE t (country char(2)); ALTER TABLE accounts ADD COLUMN state character(2)');
SELECT ids('CREATE TABLE t (country text, flag "char")');

-- 57 prefer-timestamptz
SELECT * FROM l('CREATE TABLE t (at timestamp, at2 timestamp(3) without time zone)');
SELECT ids('CREATE TABLE t (at timestamptz, at2 timestamp with time zone)');

-- 58 prefer-bigint
SELECT * FROM l('CREATE TABLE t (id int PRIMARY KEY, account_id smallint CONSTRAINT t_account_fkey REFERENCES accounts); CREATE TABLE u (a integer, b int4, PRIMARY KEY (a), CONSTRAINT u_b_fkey FOREIGN KEY (b) REFERENCES t)');
SELECT ids('CREATE TABLE t (id bigint PRIMARY KEY, quantity int, account_id bigint CONSTRAINT t_account_fkey REFERENCES accounts)');

-- 59 prefer-identity (serial is also a 32-bit key)
SELECT * FROM l('CREATE TABLE t (id serial, id2 bigserial)');
SELECT ids('CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY)');

-- 60 prefer-jsonb
SELECT * FROM l('CREATE TABLE t (doc json)');
SELECT ids('CREATE TABLE t (doc jsonb, docs jsonb[])');

-- 61 identifier-too-long (the server truncates it and says so)
SELECT * FROM l('CREATE TABLE t (a_column_name_that_is_much_too_long_for_postgresql_to_keep_it_whole int)');
SELECT * FROM l('CREATE TABLE t ("A quoted column name, with spaces, that is also too long to keep" int)');
SELECT ids('CREATE TABLE t (a_column_name_that_is_exactly_sixty_three_bytes_long_1234567890 int)');
SELECT ids($q$CREATE TABLE t (a text DEFAULT 'a string that is much longer than sixty three bytes, which is fine'); COMMENT ON TABLE t IS $$and a dollar quoted one that is also much longer than sixty three bytes$$$q$);

-- 62 require-table-schema (off unless turned on)
SELECT ids('CREATE TABLE t (a int)');
SELECT migrate_rule_set('require-table-schema', 'warning');
SELECT * FROM l('CREATE TABLE t (a int); CREATE TABLE public.u (a int); CREATE TEMP TABLE v (a int)');
SELECT migrate_rule_set('require-table-schema', 'default');

-- 63 prefer-robust-stmts (info)
SELECT * FROM l('CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email); DROP INDEX CONCURRENTLY accounts_email_idx', transactional => false);
SELECT ids('CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_email_idx ON accounts (email); DROP INDEX CONCURRENTLY IF EXISTS accounts_email_idx', transactional => false);

-- 64 index-too-many-columns (info)
SELECT * FROM l('CREATE TABLE t (a int, b int, c int, d int); CREATE INDEX t_abcd_idx ON t (a, b, c, d)');
SELECT ids('CREATE TABLE t (a int, b int, c int, d int); CREATE INDEX t_abc_idx ON t (a, b, c); CREATE UNIQUE INDEX t_abcd_key ON t (a, b, c, d)');

-- 65 alter-table-multiple-statements (info)
SELECT * FROM l('ALTER TABLE accounts ADD CONSTRAINT a_check CHECK (age > 0) NOT VALID; ALTER TABLE accounts ALTER COLUMN email SET NOT NULL; ALTER TABLE accounts ALTER COLUMN name SET NOT NULL');
SELECT ids('ALTER TABLE accounts ALTER COLUMN email SET NOT NULL, ALTER COLUMN name SET NOT NULL');

-- positions: statement numbers and lines of the first token, comments and
-- blank lines included
SELECT * FROM l($$
-- a comment

/* a block
   comment */ DELETE FROM accounts;
SELECT 1; TRUNCATE orders
;
UPDATE
  accounts SET flag = true;
$$);

-- markers: "-- migrate:allow <rule-id> ..." on the comment lines right
-- above a statement silences those rules for that statement only
SELECT * FROM l($$
-- migrate:allow delete-or-update-without-where
DELETE FROM accounts;
DELETE FROM orders;
-- cleaning up
--   migrate:allow truncate, drop-cascade
-- (reviewed)
TRUNCATE accounts CASCADE;
-- migrate:allow truncate

TRUNCATE orders;
TRUNCATE items; -- migrate:allow truncate
$$);
-- escalations need "-- migrate:approve <rule-id> <reason>"; allow is not enough
SELECT * FROM l($$
-- migrate:approve grant-revoke-change the reporting role moved to views
REVOKE SELECT ON accounts FROM reporting;
-- migrate:allow grant-revoke-change
REVOKE SELECT ON orders FROM reporting;
-- migrate:approve grant-revoke-change
REVOKE SELECT ON items FROM reporting;
$$);

-- the hint of a finding
SELECT rule, hint FROM migrate_lint('CREATE INDEX accounts_email_idx ON accounts (email)', live => false);

-- 35, 36 require-lock-timeout and require-statement-timeout: for texts
-- meant for other runners (migrate sets both itself)
SELECT migrate_rule_set('require-lock-timeout', 'default');
SELECT migrate_rule_set('require-statement-timeout', 'default');
SELECT * FROM l('SELECT 1; ALTER TABLE accounts ADD COLUMN note text; ALTER TABLE orders ADD COLUMN note text');
SELECT * FROM l('SET lock_timeout = 0; SET statement_timeout = ''1min''; CREATE INDEX accounts_email_idx ON accounts (email)');
SELECT ids('SET lock_timeout = ''2s''; SET statement_timeout = ''1min''; ALTER TABLE accounts ADD COLUMN note text');
SELECT ids('CREATE TABLE t (a int); ALTER TABLE t ADD COLUMN b int; CREATE INDEX t_b_idx ON t (b)');

-- an empty text, comments only, and a parse error (with its position)
SELECT * FROM l('');
SELECT * FROM l('-- nothing');
SELECT * FROM l('SELECT 1;
ALTER TABLE');
SELECT * FROM l('SELECT 1; \i other.sql');
SELECT * FROM migrate_lint(NULL);

DROP EXTENSION migrate;
