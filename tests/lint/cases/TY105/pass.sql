CREATE TABLE app.t (id uuid PRIMARY KEY, data jsonb, raw text CHECK (raw::json IS NOT NULL));
