-- Deploy flipr:userflips to pg
-- requires: appschema
-- requires: users
-- requires: flips

BEGIN;

CREATE OR REPLACE VIEW flipr.userflips AS
SELECT f.id, u.nickname, u.password, f.body, f.timestamp
  FROM flipr.users u
  JOIN flipr.flips f ON u.nickname = f.nickname;

COMMIT;
