CREATE TABLE app.users (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    email text NOT NULL,
    CONSTRAINT users_pkey PRIMARY KEY (id),  -- expect: CT101
    CONSTRAINT users_email_key UNIQUE (email)  -- expect: CT101
);
CREATE UNIQUE INDEX users_lower_email_idx ON app.users (email);  -- expect: CT101
CREATE TABLE app.tenants (id uuid NOT NULL, slug text NOT NULL,
    CONSTRAINT tenants_pkey PRIMARY KEY (id),
    CONSTRAINT tenants_slug_key UNIQUE (slug));  -- expect: CT101
CREATE TABLE app.tags (tenant_id uuid NOT NULL, name text PRIMARY KEY);  -- expect: CT101
CREATE TABLE app.owned (tenant_id uuid NOT NULL, id uuid NOT NULL,
    CONSTRAINT owned_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES app.tenants (id));
