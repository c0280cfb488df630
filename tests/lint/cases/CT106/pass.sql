-- tenant-exempt and partitioned: local by default, not a reference table
CREATE TABLE app.samples (id uuid NOT NULL, at timestamptz NOT NULL,
    CONSTRAINT samples_pkey PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE app.countries (code text NOT NULL, CONSTRAINT countries_pkey PRIMARY KEY (code));
