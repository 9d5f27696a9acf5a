--
-- install: the extension's objects, its parameters, and an empty state
--
CREATE EXTENSION migrate;

\dx migrate
SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) AS arguments,
	   p.proretset AS returns_set, has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_run
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.proname LIKE 'migrate\_%'
 ORDER BY p.proname, 3;

-- every catalog table and sequence travels with pg_dump
SELECT unnest(extconfig)::regclass AS dumped FROM pg_extension WHERE extname = 'migrate' ORDER BY 1::text;
SELECT has_schema_privilege('public', 'migrate', 'USAGE') AS public_uses_schema;

-- parameters and their defaults
SHOW migrate.lock_timeout;
SHOW migrate.statement_timeout;
SET migrate.lock_timeout = '2s';
SHOW migrate.lock_timeout;
RESET migrate.lock_timeout;
SET migrate.lock_timeout = -1;
SET migrate.no_such_parameter = 1;

-- an empty graph: nothing to do, nothing current, at head
SELECT * FROM migrate_upgrade();
SELECT * FROM migrate_current();
SELECT * FROM migrate_heads();
SELECT * FROM migrate_history();
SELECT * FROM migrate_check();
SELECT migrate_at_head();
SELECT migrate_sql('head');

-- the functions are found whatever the search_path
SET search_path = '';
SELECT migrate_at_head();
RESET search_path;

-- the tests that follow share this helper: what went wrong, with its
-- SQLSTATE, detail and hint
CREATE FUNCTION err(query text,
	OUT code text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	code := 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
		detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;

-- with nothing registered, "base" cannot be a downgrade target
SELECT * FROM err($$SELECT migrate_downgrade('base')$$);

DROP EXTENSION migrate;
