CREATE TABLE stock (
    product_id bigint PRIMARY KEY REFERENCES products (id),
    quantity integer NOT NULL DEFAULT 0
);
INSERT INTO stock (product_id) SELECT id FROM products;
