CREATE TABLE app.tenants (id uuid NOT NULL, CONSTRAINT tenants_pkey PRIMARY KEY (id));
CREATE TABLE app.users (tenant_id uuid NOT NULL, id uuid NOT NULL, CONSTRAINT users_pkey PRIMARY KEY (tenant_id, id),
    CONSTRAINT users_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES app.tenants (id));
CREATE TABLE app.countries (code text NOT NULL, parent text,
    CONSTRAINT countries_pkey PRIMARY KEY (code),
    CONSTRAINT countries_parent_fkey FOREIGN KEY (parent) REFERENCES app.countries (code));
