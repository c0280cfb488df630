CREATE TABLE app.good (id uuid PRIMARY KEY);
