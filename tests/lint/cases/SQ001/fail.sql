CREATE TABLE app.good (id uuid PRIMARY KEY);

CREATE TABL app.bad (id uuid);  -- expect: SQ001@8

CREATE TABLE app.also_good (id uuid PRIMARY KEY);
