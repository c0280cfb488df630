CREATE TABLE app.t (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    n int NOT NULL,
    CONSTRAINT t_pkey PRIMARY KEY (id),
    CONSTRAINT t_n_check CHECK (n > 0),
    CONSTRAINT t_n_key UNIQUE (n)
);
CREATE INDEX t_n_idx ON app.t (n);
