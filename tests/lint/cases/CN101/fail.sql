CREATE TABLE app.t (
    id uuid PRIMARY KEY,  -- expect: CN101@13
    n int CHECK (n > 0),  -- expect: CN101@11
    UNIQUE (n)  -- expect: CN101@5
);
CREATE INDEX ON app.t (n);  -- expect: CN101@1
