-- Revert flipr:userflips from pg

BEGIN;

DROP VIEW flipr.userflips;

COMMIT;
