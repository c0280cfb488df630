CREATE TABLE app.t (id uuid PRIMARY KEY, name varchar(100));  -- expect: TY104@47
CREATE TABLE app.u (id uuid PRIMARY KEY, name character varying(100));  -- expect: TY104@47
