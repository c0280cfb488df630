CREATE TYPE order_state AS ENUM ('pending', 'shipped');
CREATE TABLE orders (
  id bigint NOT NULL PRIMARY KEY,
  status order_state NOT NULL DEFAULT 'pending',
  prev_status order_state DEFAULT 'shipped',
  note text
);
CREATE TABLE shipments (
  id bigint NOT NULL PRIMARY KEY,
  status order_state
);
