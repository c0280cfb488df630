CREATE SCHEMA app;
CREATE FUNCTION app.score(v integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT (v + 1)::bigint';
CREATE TABLE app.t (id integer, scored bigint GENERATED ALWAYS AS (app.score(id)) STORED);
