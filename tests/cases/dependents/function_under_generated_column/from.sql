CREATE SCHEMA app;
CREATE FUNCTION app.score(v integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT v + 1';
CREATE TABLE app.t (id integer, scored bigint GENERATED ALWAYS AS (app.score(id)) STORED);
