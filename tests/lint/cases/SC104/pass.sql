CREATE TABLE app.t (id uuid PRIMARY KEY);
