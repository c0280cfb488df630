CREATE TABLE dummy (
  a int NOT NULL,
  b int NOT NULL,
  c int NOT NULL,
  CONSTRAINT dummy_pk PRIMARY KEY (a),
  CONSTRAINT dummy_uniq UNIQUE (a, b) INCLUDE (c) WITH (fillfactor = 70) DEFERRABLE
);
