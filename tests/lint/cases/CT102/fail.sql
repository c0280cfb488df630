CREATE TABLE app.tenants (id uuid NOT NULL, CONSTRAINT tenants_pkey PRIMARY KEY (id));
CREATE TABLE app.users (tenant_id uuid NOT NULL, id uuid NOT NULL,
    CONSTRAINT users_pkey PRIMARY KEY (tenant_id, id),
    CONSTRAINT users_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES app.tenants (id));
CREATE TABLE app.orders (tenant_id uuid NOT NULL, id uuid NOT NULL, user_id uuid NOT NULL, note_id uuid,
    CONSTRAINT orders_pkey PRIMARY KEY (tenant_id, id),
    CONSTRAINT orders_user_fkey FOREIGN KEY (user_id, tenant_id) REFERENCES app.users (tenant_id, id),  -- expect: CT102
    CONSTRAINT orders_note_fkey FOREIGN KEY (note_id) REFERENCES app.notes (id));  -- expect: CT102
-- no tenant_id and not exempt: stays local on the coordinator
CREATE TABLE app.notes (id uuid NOT NULL, CONSTRAINT notes_pkey PRIMARY KEY (id));
