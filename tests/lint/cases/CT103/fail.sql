CREATE TABLE app.tenants (id uuid NOT NULL, CONSTRAINT tenants_pkey PRIMARY KEY (id));
CREATE TABLE app.users (tenant_id uuid NOT NULL, id uuid NOT NULL, CONSTRAINT users_pkey PRIMARY KEY (tenant_id, id),
    CONSTRAINT users_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES app.tenants (id));
CREATE TABLE app.notes (id uuid NOT NULL, CONSTRAINT notes_pkey PRIMARY KEY (id));
CREATE TABLE app.countries (code text NOT NULL, owner_tenant uuid, note_id uuid,
    CONSTRAINT countries_pkey PRIMARY KEY (code),
    CONSTRAINT countries_owner_fkey FOREIGN KEY (owner_tenant) REFERENCES app.tenants (id),  -- expect: CT103
    CONSTRAINT countries_note_fkey FOREIGN KEY (note_id) REFERENCES app.notes (id));  -- expect: CT103
