-- Live for the plan-diagram case; the desired state is ../plain/desired.sql.
-- shop.customers lacks a column (changed), shop.orders its foreign key (changed, a new FK edge),
-- shop.legacy is not desired (dropped), billing is missing (added).
CREATE SCHEMA shop;
CREATE SCHEMA billing;
CREATE TABLE shop.customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE TABLE shop.orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL,
    placed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer_id_idx ON shop.orders (customer_id);
CREATE TABLE shop.legacy (id integer);
