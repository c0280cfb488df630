CREATE TABLE app.regions (
    id integer PRIMARY KEY
  , label text NOT NULL
);
