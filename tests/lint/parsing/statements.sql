-- Statements of many kinds, for tests/lint/test_parsing.py (pglast's tree, made from the JSON).
SET search_path = app, public;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
CREATE SCHEMA IF NOT EXISTS app AUTHORIZATION app_owner;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE app.pair AS (a integer, b text COLLATE "C");
CREATE DOMAIN app.email AS citext CHECK (VALUE ~ '^[^@]+@[^@]+$');
CREATE SEQUENCE app.seq INCREMENT BY 5 MINVALUE -10 MAXVALUE 1000 CYCLE;
CREATE TABLE app.users (
    tenant_id uuid NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 2),
    email app.email NOT NULL UNIQUE NULLS NOT DISTINCT,
    score numeric(10, 2) DEFAULT 0.5 CHECK (score >= -1.5),
    flags bit(3) DEFAULT B'101',
    hex varbit DEFAULT X'1F',
    active boolean DEFAULT true,
    nothing text DEFAULT NULL,
    tags text[] DEFAULT '{}'::text[],
    during tstzrange,
    full_name text GENERATED ALWAYS AS (email || ' ' || id::text) STORED,
    PRIMARY KEY (tenant_id, id),
    EXCLUDE USING gist (tenant_id WITH =, during WITH &&) WHERE (active),
    CONSTRAINT fk FOREIGN KEY (tenant_id) REFERENCES app.tenants (id) MATCH FULL ON DELETE SET NULL (tenant_id)
        ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED
) PARTITION BY HASH (tenant_id);
CREATE TABLE app.users_0 PARTITION OF app.users FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE app.events (at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE app.events_y PARTITION OF app.events FOR VALUES FROM (MINVALUE) TO ('2026-01-01');
CREATE TABLE app.events_d PARTITION OF app.events DEFAULT;
CREATE UNLOGGED TABLE IF NOT EXISTS app.cache (k text, v jsonb) WITH (fillfactor = 70);
CREATE TEMP TABLE t AS SELECT 1 AS x WITH NO DATA;
CREATE TABLE app.child (extra int) INHERITS (app.cache);
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email ON app.users USING btree (lower(email) DESC NULLS LAST)
    INCLUDE (id) WHERE active;
ALTER TABLE app.users ADD COLUMN note text COLLATE "de_DE", ALTER COLUMN score TYPE numeric USING score::numeric,
    ALTER COLUMN email SET NOT NULL, DROP CONSTRAINT IF EXISTS old CASCADE, ENABLE ROW LEVEL SECURITY,
    ADD CONSTRAINT ck CHECK (score < 100) NOT VALID, VALIDATE CONSTRAINT ck, OWNER TO app_owner,
    ALTER COLUMN id SET STATISTICS 200, SET (autovacuum_enabled = false), RESET (fillfactor);
ALTER TABLE ONLY app.users ATTACH PARTITION app.users_1 FOR VALUES WITH (MODULUS 4, REMAINDER 1);
ALTER TABLE app.users RENAME COLUMN note TO remark;
ALTER INDEX app.users_email RENAME TO users_email_key;
COMMENT ON TABLE app.users IS 'Utilisateurs — «clients» ☃';
COMMENT ON COLUMN app.users.email IS NULL;
CREATE VIEW app.v WITH (security_barrier) AS
    WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10)
    SELECT u.id, count(*) FILTER (WHERE u.active) OVER (PARTITION BY u.tenant_id ORDER BY u.id
           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS c,
           CASE WHEN u.score IS NULL THEN 'n' WHEN u.score BETWEEN 1 AND 2 THEN 'b' ELSE 'e' END AS k,
           coalesce(u.email, 'x') COLLATE "C", u.tags[1:2], (u.tags)[1], ARRAY[1, 2], ROW(1, 'a'),
           EXISTS (SELECT 1 FROM r), u.id IN (SELECT n FROM r), u.id = ANY ('{1,2}'::int[]),
           NOT u.active IS TRUE, current_timestamp, $1, 'é' || 'ü', x'ff'::int, 1e10, -0, 0.0
    FROM app.users u LEFT JOIN LATERAL (SELECT * FROM r LIMIT 1) l ON true NATURAL JOIN app.cache
    WHERE u.email ILIKE '%@x' AND u.email SIMILAR TO 'a%' GROUP BY ROLLUP (u.id), CUBE (u.tenant_id)
    HAVING count(*) > 1 ORDER BY 1 DESC NULLS FIRST LIMIT ALL OFFSET 5 FOR UPDATE SKIP LOCKED
    WITH CASCADED CHECK OPTION;
CREATE MATERIALIZED VIEW app.mv AS SELECT DISTINCT ON (id) id FROM app.users TABLESAMPLE SYSTEM (10) WITH NO DATA;
CREATE OR REPLACE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = app
    AS $$BEGIN NEW.updated_at := now(); RETURN NEW; END$$;
CREATE FUNCTION app.add(a integer, INOUT b integer DEFAULT 2, VARIADIC c int[] DEFAULT '{}', OUT d text)
    RETURNS SETOF record STRICT IMMUTABLE PARALLEL SAFE COST 10 ROWS 5 BEGIN ATOMIC SELECT a + b; END;
CREATE PROCEDURE app.p() LANGUAGE sql AS 'select 1';
CREATE AGGREGATE app.agg(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');
CREATE OPERATOR app.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq);
CREATE CAST (text AS app.pair) WITH INOUT AS IMPLICIT;
CREATE TRIGGER touch BEFORE UPDATE OF email OR INSERT ON app.users FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION app.touch();
CREATE EVENT TRIGGER et ON ddl_command_start WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION app.touch();
CREATE POLICY tenant ON app.users AS RESTRICTIVE FOR SELECT TO app_reader, PUBLIC
    USING (tenant_id = current_setting('app.tenant')::uuid) WITH CHECK (true);
CREATE RULE r AS ON INSERT TO app.cache DO INSTEAD NOTHING;
CREATE ROLE app_reader WITH NOLOGIN NOINHERIT CONNECTION LIMIT 3 VALID UNTIL 'infinity' IN ROLE app_owner;
ALTER ROLE app_reader SET work_mem = '64MB';
GRANT SELECT, UPDATE (email, score) ON app.users TO app_reader WITH GRANT OPTION GRANTED BY app_owner;
GRANT USAGE ON SCHEMA app TO PUBLIC;
GRANT app_owner TO app_reader WITH ADMIN OPTION;
REVOKE ALL ON ALL TABLES IN SCHEMA app FROM app_reader CASCADE;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app GRANT SELECT ON TABLES TO app_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA app REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
INSERT INTO app.cache AS c (k, v) VALUES ('a', '{"x": 1}'), (DEFAULT, NULL)
    ON CONFLICT (k) WHERE k <> '' DO UPDATE SET v = EXCLUDED.v RETURNING *;
UPDATE app.cache SET (k, v) = (SELECT 'b', NULL) FROM app.users WHERE app.cache.k = 'a' RETURNING k;
DELETE FROM ONLY app.cache USING app.users WHERE true;
MERGE INTO app.cache c USING app.users u ON c.k = u.email WHEN MATCHED AND u.active THEN UPDATE SET v = NULL
    WHEN NOT MATCHED THEN INSERT (k) VALUES (u.email) WHEN NOT MATCHED BY SOURCE THEN DELETE;
SELECT JSON_OBJECT('a': 1 ABSENT ON NULL), JSON_ARRAYAGG(x ORDER BY x), jsonb_path_query('{}', '$.a'),
       XMLELEMENT(NAME foo, XMLATTRIBUTES(1 AS bar), 'text'), '1'::xml IS DOCUMENT,
       * FROM JSON_TABLE('[1,2]'::jsonb, '$[*]' COLUMNS (n int PATH '$', o FOR ORDINALITY)) AS jt;
SELECT a FROM (VALUES (1), (2)) AS v(a) UNION SELECT 3 INTERSECT SELECT 4 EXCEPT ALL SELECT 5;
DO $$ BEGIN RAISE NOTICE 'é'; END $$;
BEGIN ISOLATION LEVEL SERIALIZABLE; SAVEPOINT s; ROLLBACK TO SAVEPOINT s; COMMIT;
LOCK TABLE app.users IN ACCESS EXCLUSIVE MODE NOWAIT;
VACUUM (ANALYZE, VERBOSE) app.users (email);
EXPLAIN (ANALYZE, FORMAT JSON) SELECT 1;
COPY app.cache (k) FROM STDIN WITH (FORMAT csv, HEADER true);
PREPARE q(int) AS SELECT $1; EXECUTE q(1); DEALLOCATE ALL;
NOTIFY chan, 'payload'; LISTEN chan; UNLISTEN *;
DISCARD ALL; RESET ALL; RESET search_path; SET LOCAL statement_timeout TO DEFAULT; SHOW work_mem;
TRUNCATE app.cache RESTART IDENTITY CASCADE;
REINDEX TABLE CONCURRENTLY app.users;
CLUSTER app.users USING users_email_key;
REFRESH MATERIALIZED VIEW CONCURRENTLY app.mv WITH DATA;
SECURITY LABEL FOR selinux ON TABLE app.users IS 'x';
CREATE PUBLICATION pub FOR TABLE app.users (id, email) WHERE (active), TABLES IN SCHEMA app;
CREATE SUBSCRIPTION sub CONNECTION 'dbname=x' PUBLICATION pub WITH (enabled = false);
CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'h');
CREATE FOREIGN TABLE app.ft (a int OPTIONS (column_name 'b')) SERVER s OPTIONS (table_name 't');
CREATE USER MAPPING FOR CURRENT_USER SERVER s OPTIONS (user 'u');
IMPORT FOREIGN SCHEMA remote LIMIT TO (t1) FROM SERVER s INTO app;
CREATE STATISTICS app.st (dependencies) ON tenant_id, id FROM app.users;
CREATE COLLATION app.de (provider = icu, locale = 'de-DE');
CREATE TEXT SEARCH CONFIGURATION app.ts (COPY = english);
ALTER TEXT SEARCH CONFIGURATION app.ts ALTER MAPPING FOR word WITH simple;
ALTER TYPE app.mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'ok';
ALTER TYPE app.mood RENAME VALUE 'meh' TO 'fine';
ALTER SEQUENCE app.seq OWNED BY app.users.id RESTART;
ALTER FUNCTION app.touch() OWNER TO app_owner;
ALTER EXTENSION citext UPDATE TO '1.6';
DROP TABLE IF EXISTS app.a, app.b CASCADE;
DROP INDEX CONCURRENTLY IF EXISTS app.users_email_key;
DROP FUNCTION IF EXISTS app.add(integer, integer, int[]) RESTRICT;
DROP OWNED BY app_reader; REASSIGN OWNED BY app_reader TO app_owner;
CALL app.p();
DECLARE cur CURSOR WITH HOLD FOR SELECT 1; FETCH FORWARD 5 FROM cur; CLOSE cur;
CHECKPOINT;
SELECT 'unicode: ☃ — 日本語', U&'\0041', E'\n', $tag$ dollar ☃ $tag$, 1 /* trailing ☃ comment */
