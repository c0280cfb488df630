-- Plain SQL without manifests: one page per schema, soft references from comments.
CREATE SCHEMA shop;
CREATE SCHEMA billing;

CREATE TABLE shop.customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE
);

CREATE TABLE shop.orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES shop.customers (id),
    placed_at timestamptz NOT NULL DEFAULT now()
) ;
CREATE INDEX orders_customer_id_idx ON shop.orders (customer_id);

CREATE TABLE billing.invoices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL,
    total numeric(12, 2) NOT NULL CHECK (total >= 0)
);
COMMENT ON COLUMN billing.invoices.order_id IS 'soft reference -> shop.orders.id: the order billed (another service)';

CREATE FUNCTION billing.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER invoices_touch BEFORE UPDATE ON billing.invoices FOR EACH ROW EXECUTE FUNCTION billing.touch();
ALTER TABLE billing.invoices ENABLE ROW LEVEL SECURITY;
CREATE POLICY invoices_all ON billing.invoices USING (true);

CREATE TABLE billing.events (
    at timestamptz NOT NULL,
    kind text NOT NULL
) PARTITION BY RANGE (at);
CREATE TABLE billing.events_2026 PARTITION OF billing.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
