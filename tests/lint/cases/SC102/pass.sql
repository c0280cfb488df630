CREATE TABLE app.t (id uuid PRIMARY KEY);
CREATE INDEX t_id_idx ON app.t (id);
SET search_path TO app;
CREATE TABLE u (id uuid PRIMARY KEY);
