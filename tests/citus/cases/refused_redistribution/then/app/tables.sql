CREATE TABLE app.tenants (
    id uuid NOT NULL,
    name text NOT NULL,
    CONSTRAINT tenants_pkey PRIMARY KEY (id)
);

CREATE TABLE app.countries (
    code text NOT NULL,
    name text NOT NULL,
    CONSTRAINT countries_pkey PRIMARY KEY (code)
);

CREATE TABLE app.users (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    country text,
    CONSTRAINT users_pkey PRIMARY KEY (tenant_id, id),
    CONSTRAINT users_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES app.tenants (id),
    CONSTRAINT users_country_fkey FOREIGN KEY (country) REFERENCES app.countries (code)
);

CREATE TABLE app.orders (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    CONSTRAINT orders_pkey PRIMARY KEY (tenant_id, id),
    CONSTRAINT orders_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES app.users (tenant_id, id)
);
