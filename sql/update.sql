--
-- update: install the 0.1.0 release, give it a history, update it in place
-- with ALTER EXTENSION migrate UPDATE, and check that the history and the
-- behaviour survive
--
CREATE EXTENSION migrate VERSION '0.1.0';
SET client_min_messages = notice;
SELECT extversion FROM pg_extension WHERE extname = 'migrate';

-- a history: three revisions, upgraded, then one downgraded
SELECT migrate_revision('shop', $$
CREATE SCHEMA u_shop;
CREATE TABLE u_shop.customer (id bigint PRIMARY KEY, email text NOT NULL);
$$, E'-- migrate:allow drop-cascade\nDROP SCHEMA u_shop CASCADE', id => 'u0000001');
SELECT migrate_revision('orders', $$
CREATE TABLE u_shop.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL CONSTRAINT orders_customer_fk REFERENCES u_shop.customer);
$$, E'-- migrate:allow dropping-table\nDROP TABLE u_shop.orders', id => 'u0000002');
SELECT migrate_revision('note', 'ALTER TABLE u_shop.customer ADD COLUMN note text',
	E'-- migrate:allow dropping-column\nALTER TABLE u_shop.customer DROP COLUMN note', id => 'u0000003');
SELECT step, revision FROM migrate_upgrade('head');
SELECT step, revision FROM migrate_downgrade('-1');
-- a deploy role
CREATE ROLE u_deployer;
GRANT EXECUTE ON FUNCTION migrate_upgrade(text) TO u_deployer;
-- a protected object, and a drift record
SELECT migrate_protect('u_shop.customer.email', 'written by the CRM sync');
COMMENT ON TABLE u_shop.customer IS 'customers';

-- what the history looks like before the update
CREATE TABLE u_before AS
SELECT (SELECT array_agg(revision ORDER BY revision) FROM migrate_current()) AS current,
	   (SELECT count(*) FROM migrate_history()) AS history,
	   (SELECT count(*) FROM migrate.log) AS log,
	   (SELECT count(*) FROM migrate_drift(true)) AS drift,
	   (SELECT count(*) FROM migrate_protected()) AS protected,
	   (SELECT count(*) FROM migrate_managed_schemas()) AS managed;
SELECT * FROM u_before;

ALTER EXTENSION migrate UPDATE;
SELECT extversion = default_version AS updated
  FROM pg_extension JOIN pg_available_extensions ON name = extname
 WHERE extname = 'migrate';

-- the history survives
SELECT (SELECT array_agg(revision ORDER BY revision) FROM migrate_current()) AS current,
	   (SELECT count(*) FROM migrate_history()) AS history,
	   (SELECT count(*) FROM migrate.log) AS log,
	   (SELECT count(*) FROM migrate_drift(true)) AS drift,
	   (SELECT count(*) FROM migrate_protected()) AS protected,
	   (SELECT count(*) FROM migrate_managed_schemas()) AS managed
EXCEPT SELECT * FROM u_before;
SELECT revision, message FROM migrate_history() ORDER BY revision;
SELECT command_tag, object_identity, blocked FROM migrate_drift();
SELECT object, reason FROM migrate_protected();

-- and so does the behaviour: the graph upgrades and downgrades
SELECT step, revision FROM migrate_upgrade('head');
SELECT step, revision FROM migrate_downgrade('u0000001');
SELECT step, revision FROM migrate_upgrade('head');
SELECT migrate_revision('total', 'ALTER TABLE u_shop.orders ADD COLUMN total numeric',
	E'-- migrate:allow dropping-column\nALTER TABLE u_shop.orders DROP COLUMN total', id => 'u0000004');
SELECT step, revision FROM migrate_upgrade('head');
-- revisions run after the update log their effects
SELECT revision, effects FROM migrate.log WHERE effects IS NOT NULL ORDER BY id;
-- the guard still records drift and guards the protected column
ALTER TABLE u_shop.orders ADD COLUMN placed_at timestamptz;
SELECT command_tag, object_identity, blocked FROM migrate_drift() ORDER BY at;
DO $$
BEGIN
	ALTER TABLE u_shop.customer RENAME COLUMN email TO mail;
EXCEPTION WHEN OTHERS THEN
	RAISE NOTICE 'blocked: %', SQLERRM;
END
$$;
-- the new functions: verify is granted to whoever may upgrade, impact to
-- everyone
SELECT has_function_privilege('u_deployer', 'migrate_verify(text)', 'EXECUTE') AS deployer_verifies,
	   has_function_privilege('public', 'migrate_verify(text)', 'EXECUTE') AS public_verifies,
	   has_function_privilege('public', 'migrate_impact(text)', 'EXECUTE') AS public_impact;
SELECT migrate_revision('code', 'ALTER TABLE u_shop.customer ADD COLUMN code text',
	'SELECT 1', id => 'u0000005');
SELECT revision, status, left_behind FROM migrate_verify();
SELECT migrate_forget('u0000005');
SELECT depth, kind, object, protected FROM migrate_impact('u_shop.customer.email');
-- the linter still reads its rule settings
SELECT migrate_rule_set('adding-trigger', 'off');
SELECT rule, severity FROM migrate.rule;

DROP TABLE u_before;
DROP EXTENSION migrate;
DROP ROLE u_deployer;
DROP SCHEMA u_shop CASCADE;
