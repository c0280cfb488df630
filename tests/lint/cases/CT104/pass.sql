CREATE TABLE app.tenants (id uuid NOT NULL, CONSTRAINT tenants_pkey PRIMARY KEY (id));
CREATE TABLE app.users (tenant_id uuid NOT NULL, id uuid NOT NULL, name text,
    CONSTRAINT users_pkey PRIMARY KEY (tenant_id, id),
    CONSTRAINT users_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES app.tenants (id));
ALTER TABLE app.users ALTER COLUMN name TYPE varchar(200);
