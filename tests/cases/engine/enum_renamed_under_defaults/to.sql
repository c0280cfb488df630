CREATE TYPE order_status AS ENUM ('pending', 'shipped');
CREATE TABLE orders (
  id bigint NOT NULL PRIMARY KEY,
  status order_status NOT NULL DEFAULT 'pending',
  prev_status order_status,
  note text DEFAULT 'none'
);
CREATE TABLE shipments (
  id bigint NOT NULL PRIMARY KEY,
  status order_status DEFAULT 'shipped'
);
