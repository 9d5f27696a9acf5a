BEGIN;
CREATE TABLE IF NOT EXISTS accounts (
    id serial PRIMARY KEY,
    username varchar(50) UNIQUE NOT NULL,
    password varchar(64) NOT NULL
);
COMMIT;
