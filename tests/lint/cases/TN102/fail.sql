CREATE TABLE app.node (id uuid PRIMARY KEY);
