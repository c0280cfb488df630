CREATE TABLE app.samples (id uuid NOT NULL, at timestamptz NOT NULL,  -- expect: CT106
    CONSTRAINT samples_pkey PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
