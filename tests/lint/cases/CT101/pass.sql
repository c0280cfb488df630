CREATE TABLE app.tenants (id uuid NOT NULL, slug text NOT NULL, CONSTRAINT tenants_pkey PRIMARY KEY (id));
CREATE TABLE app.users (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    email text NOT NULL,
    CONSTRAINT users_pkey PRIMARY KEY (tenant_id, id),
    CONSTRAINT users_email_key UNIQUE (tenant_id, email),
    CONSTRAINT users_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES app.tenants (id)
);
CREATE UNIQUE INDEX users_lower_email_idx ON app.users (tenant_id, email);
CREATE INDEX users_email_idx ON app.users (email);
-- a reference table keeps any key
CREATE TABLE app.countries (code text NOT NULL, name text NOT NULL,
    CONSTRAINT countries_pkey PRIMARY KEY (code), CONSTRAINT countries_name_key UNIQUE (name));
