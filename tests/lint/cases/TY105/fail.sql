CREATE TABLE app.t (id uuid PRIMARY KEY, data json);  -- expect: TY105@47
