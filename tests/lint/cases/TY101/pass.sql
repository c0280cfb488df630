CREATE TABLE app.t (
    id uuid PRIMARY KEY,
    a timestamptz,
    b timestamp with time zone,
    c date CHECK (c > '2026-01-01'::timestamp)
);
