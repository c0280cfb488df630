CREATE TABLE app.t (id serial PRIMARY KEY);  -- expect: TY102@24
CREATE TABLE app.u (id bigserial PRIMARY KEY);  -- expect: TY102@24
