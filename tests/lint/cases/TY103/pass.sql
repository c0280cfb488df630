CREATE TABLE app.t (id uuid PRIMARY KEY, price numeric(12,2), currency char(3));
