--
-- offline: migrate_sql writes the script an upgrade or downgrade would run
--
CREATE EXTENSION migrate;

SELECT migrate_revision('accounts', E'CREATE TABLE o_account (id int);\n-- a comment\nINSERT INTO o_account VALUES (1)',
						'DROP TABLE o_account', id => 'o0000001');
SELECT migrate_revision('it''s an index', 'CREATE INDEX o_account_id ON o_account (id)',
						'DROP INDEX o_account_id', id => 'o0000002');
SELECT migrate_revision('concurrently', 'CREATE INDEX CONCURRENTLY o_account_id2 ON o_account (id)',
						'DROP INDEX CONCURRENTLY o_account_id2', id => 'o0000003', transactional => false);
SELECT migrate_revision('last', 'ALTER TABLE o_account ADD COLUMN name text',
						'ALTER TABLE o_account DROP COLUMN name', id => 'o0000004');

-- from the database's own state (nothing applied): the whole upgrade,
-- with the non-transactional step between COMMIT and BEGIN
SELECT migrate_sql('head');
-- from a stated starting point, up to a revision
SELECT migrate_sql('o0000002', from_state => 'o0000001');
-- a downgrade from a stated state
SELECT migrate_sql('base', from_state => 'o0000002');
SELECT migrate_sql('-1', from_state => 'head');
-- down to a revision, and nowhere
SELECT migrate_sql('o0000001', from_state => 'o0000002');
SELECT migrate_sql('o0000001', from_state => 'o0000001');

-- it only writes: nothing was applied
SELECT count(*) FROM migrate.applied;
SELECT count(*) FROM pg_class WHERE relname LIKE 'o\_%';

-- the script works: run the first two revisions' script through EXECUTE
-- (without its BEGIN and COMMIT, which a DO block cannot run)
DO $$
BEGIN
	EXECUTE regexp_replace(regexp_replace(migrate_sql('o0000002'), 'BEGIN;', ''), 'COMMIT;', '');
END $$;
SELECT revision FROM migrate.applied ORDER BY 1;
SELECT revision, markers FROM migrate_current();
SELECT * FROM migrate_check() WHERE revision IN ('o0000001', 'o0000002');
-- the script holds the session lock: the DDL guard takes its DDL as
-- migrate's own (no drift, its schema is managed), and the fingerprint is
-- stored at the end
SELECT count(*) AS drift FROM migrate_drift(true);
SELECT schema_name FROM migrate_managed_schemas();
SELECT problem FROM migrate_check() WHERE revision IS NULL;

-- refusals are the same as online
SELECT * FROM err($$SELECT migrate_sql('nosuch')$$);
SELECT * FROM err($$SELECT migrate_sql('head', from_state => 'nosuch')$$);
SELECT * FROM err($$SELECT migrate_sql(NULL)$$);

SELECT step, revision FROM migrate_downgrade('base', drop_data => true);
DROP EXTENSION migrate;
