CREATE TABLE app.nodes (id uuid PRIMARY KEY);
