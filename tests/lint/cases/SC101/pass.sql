CREATE TABLE app.t (id uuid PRIMARY KEY);
CREATE TABLE app.u (id uuid PRIMARY KEY, t_id uuid REFERENCES app.t (id));
CREATE INDEX u_t_id_idx ON app.u (t_id);
COMMENT ON COLUMN app.u.t_id IS 'hi';
CREATE TYPE app.mood AS ENUM ('ok');
CREATE VIEW app.v AS WITH recent AS (SELECT id FROM app.t) SELECT id FROM recent;
