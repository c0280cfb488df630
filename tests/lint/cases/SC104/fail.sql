CREATE SCHEMA app;  -- expect: SC104@1
CREATE EXTENSION citext;  -- expect: SC104@1
CREATE ROLE app_svc NOLOGIN;  -- expect: SC104@1
CREATE TABLE app.t (id uuid PRIMARY KEY);
ALTER TABLE app.t OWNER TO someone;  -- expect: SC104@1
