CREATE TABLE products (
    id bigserial PRIMARY KEY,
    sku text NOT NULL UNIQUE,
    price_cents integer NOT NULL CHECK (price_cents >= 0)
);
