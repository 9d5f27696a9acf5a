--
-- fleet: the server side of pg_migrate --atomic.  migrate_fleet_member
-- records, in the transaction that a member of an atomic fleet run
-- prepares, that it is member k of n of that fleet; the row is seen by
-- migrate_fleet_members once the transaction committed, and never if it
-- rolled back.  Bad arguments are refused with their SQLSTATE.  (The
-- prepared transactions themselves, and migrate_check's
-- prepared_transaction problem, need max_prepared_transactions: see
-- t/026_client_fleet.pl.)
--
CREATE EXTENSION migrate;
SET client_min_messages = warning;
CREATE FUNCTION fl_err(query text,
	OUT code text, OUT message text, OUT detail text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	code := 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL;
END $$;

-- bad arguments
SELECT * FROM fl_err($$SELECT migrate_fleet_member('XYZ', 1, 2)$$);
SELECT * FROM fl_err($$SELECT migrate_fleet_member('', 1, 2)$$);
SELECT * FROM fl_err($$SELECT migrate_fleet_member(repeat('a', 33), 1, 2)$$);
SELECT * FROM fl_err($$SELECT migrate_fleet_member('abc', 0, 2)$$);
SELECT * FROM fl_err($$SELECT migrate_fleet_member('abc', 3, 2)$$);
SELECT * FROM fl_err($$SELECT migrate_fleet_member(NULL, 1, 2)$$);
SELECT * FROM fl_err($$SELECT migrate_fleet_member('abc', 1, NULL)$$);

-- a member that rolls back leaves nothing; one that commits is seen
BEGIN;
SELECT migrate_fleet_member('0a1b2c', 1, 2);
SELECT * FROM migrate_fleet_members('{0a1b2c}');
ROLLBACK;
SELECT count(*) AS after_rollback FROM migrate_fleet_members('{0a1b2c}');
SELECT migrate_fleet_member('0a1b2c', 2, 2);
SELECT migrate_fleet_member('ffff', 1, 1);
SELECT * FROM migrate_fleet_members('{0a1b2c,eeee}');
SELECT * FROM migrate_fleet_members(NULL);
-- a member is recorded once
SELECT * FROM fl_err($$SELECT migrate_fleet_member('0a1b2c', 2, 2)$$);

-- only the owner and whoever may upgrade may record a member
CREATE ROLE fl_nobody;
SET ROLE fl_nobody;
SELECT * FROM fl_err($$SELECT migrate_fleet_member('abcd', 1, 1)$$);
SELECT count(*) AS readable FROM migrate_fleet_members('{ffff}');
RESET ROLE;

-- no prepared transaction here: migrate_check has nothing to say about it
SELECT count(*) AS prepared_problems FROM migrate_check()
 WHERE problem = 'prepared_transaction';

-- cleanup
DROP ROLE fl_nobody;
DROP EXTENSION migrate;
DROP FUNCTION fl_err;
