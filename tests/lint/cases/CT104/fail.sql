CREATE TABLE app.tenants (id uuid NOT NULL, CONSTRAINT tenants_pkey PRIMARY KEY (id));
CREATE TABLE app.users (tenant_id uuid NOT NULL, id uuid NOT NULL, CONSTRAINT users_pkey PRIMARY KEY (tenant_id, id),
    CONSTRAINT users_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES app.tenants (id));
ALTER TABLE app.users ALTER COLUMN tenant_id TYPE text;  -- expect: CT104
CREATE TABLE app.events (id uuid NOT NULL, CONSTRAINT events_pkey PRIMARY KEY (id));  -- expect: CT104
