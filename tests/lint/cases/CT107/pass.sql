CREATE TABLE app.countries (code text NOT NULL, CONSTRAINT countries_pkey PRIMARY KEY (code));
CREATE TABLE app.audit (tenant_id uuid NOT NULL, at timestamptz NOT NULL);
