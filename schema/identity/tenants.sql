-- identity: tenants (root of multi-tenancy) and their white-label branding.

CREATE TABLE identity.tenants (
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    slug             public.citext NOT NULL,
    name             text        NOT NULL,
    kind             text        NOT NULL DEFAULT 'direct',
    status           text        NOT NULL DEFAULT 'active',
    parent_tenant_id uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenants_pkey PRIMARY KEY (id),
    CONSTRAINT tenants_slug_key UNIQUE (slug),
    CONSTRAINT tenants_parent_tenant_id_fkey FOREIGN KEY (parent_tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT tenants_slug_check CHECK (char_length(slug) BETWEEN 1 AND 63),
    CONSTRAINT tenants_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT tenants_kind_check CHECK (kind IN ('direct', 'reseller')),
    CONSTRAINT tenants_status_check CHECK (status IN ('active', 'suspended', 'closed')),
    CONSTRAINT tenants_parent_tenant_id_check CHECK (parent_tenant_id <> id)
);

CREATE INDEX tenants_parent_tenant_id_idx ON identity.tenants (parent_tenant_id);

COMMENT ON TABLE identity.tenants IS 'Root of multi-tenancy: FlatRender itself (direct) and resellers with their sub-tenants.';
COMMENT ON COLUMN identity.tenants.parent_tenant_id IS 'Reseller that owns this sub-tenant; NULL for top-level tenants.';


CREATE TABLE identity.tenant_branding (
    tenant_id       uuid        NOT NULL,
    logo_file_id    uuid,
    primary_color   text,
    secondary_color text,
    custom_domain   public.citext,
    sender_name     text,
    sender_email    public.citext,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenant_branding_pkey PRIMARY KEY (tenant_id),
    CONSTRAINT tenant_branding_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id) ON DELETE CASCADE,
    CONSTRAINT tenant_branding_custom_domain_key UNIQUE (custom_domain),
    CONSTRAINT tenant_branding_primary_color_check CHECK (primary_color ~ '^#[0-9A-Fa-f]{6}$'),
    CONSTRAINT tenant_branding_secondary_color_check CHECK (secondary_color ~ '^#[0-9A-Fa-f]{6}$'),
    CONSTRAINT tenant_branding_custom_domain_check CHECK (char_length(custom_domain) BETWEEN 3 AND 253),
    CONSTRAINT tenant_branding_sender_name_check CHECK (char_length(sender_name) <= 100),
    CONSTRAINT tenant_branding_sender_email_check CHECK (char_length(sender_email) <= 254)
);

COMMENT ON TABLE identity.tenant_branding IS 'White-label branding, one row per tenant: logo, colours, custom domain, e-mail sender.';
COMMENT ON COLUMN identity.tenant_branding.logo_file_id IS 'soft reference -> file_mgr.files.id: logo image stored by the File Service';
COMMENT ON COLUMN identity.tenant_branding.custom_domain IS 'Host name the white-label front end is served on; unique across all tenants.';
