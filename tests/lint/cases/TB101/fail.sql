CREATE TABLE app.t (id uuid NOT NULL);  -- expect: TB101@14
