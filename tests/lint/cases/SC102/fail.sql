CREATE TABLE other.t (id uuid PRIMARY KEY);  -- expect: SC102@14
CREATE TABLE elsewhere.t (id uuid PRIMARY KEY);  -- expect: SC102@14
CREATE INDEX t_id_idx ON other.t (id);  -- expect: SC102
SET search_path TO other;
CREATE TABLE u (id uuid PRIMARY KEY);  -- expect: SC102@14
