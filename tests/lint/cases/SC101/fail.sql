CREATE TABLE t (id uuid PRIMARY KEY);  -- expect: SC101@14
CREATE TABLE app.u (id uuid PRIMARY KEY, t_id uuid REFERENCES t (id));  -- expect: SC101@63
CREATE INDEX u_t_id_idx ON u (t_id);  -- expect: SC101@28
COMMENT ON COLUMN u.t_id IS 'hi';  -- expect: SC101
CREATE TYPE mood AS ENUM ('ok');  -- expect: SC101
