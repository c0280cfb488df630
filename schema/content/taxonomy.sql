-- content: template taxonomy (category tree and tags).

CREATE TABLE content.categories (
    id         uuid          NOT NULL DEFAULT gen_random_uuid(),
    tenant_id  uuid          NOT NULL,
    parent_id  uuid,
    slug       public.citext NOT NULL,
    name       text          NOT NULL,
    sort_order integer       NOT NULL DEFAULT 0,
    created_at timestamptz   NOT NULL DEFAULT now(),
    updated_at timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT categories_pkey PRIMARY KEY (id),
    CONSTRAINT categories_parent_id_fkey FOREIGN KEY (parent_id)
        REFERENCES content.categories (id),
    CONSTRAINT categories_tenant_id_slug_key UNIQUE (tenant_id, slug),
    CONSTRAINT categories_parent_id_check CHECK (parent_id <> id),
    CONSTRAINT categories_slug_check CHECK (char_length(slug) BETWEEN 1 AND 100),
    CONSTRAINT categories_name_check CHECK (char_length(name) BETWEEN 1 AND 200)
);

CREATE INDEX categories_parent_id_idx ON content.categories (parent_id);

COMMENT ON TABLE content.categories IS 'Template category tree (parent_id NULL = top level).';
COMMENT ON COLUMN content.categories.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';


CREATE TABLE content.tags (
    id         uuid          NOT NULL DEFAULT gen_random_uuid(),
    tenant_id  uuid          NOT NULL,
    slug       public.citext NOT NULL,
    name       text          NOT NULL,
    created_at timestamptz   NOT NULL DEFAULT now(),
    updated_at timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT tags_pkey PRIMARY KEY (id),
    CONSTRAINT tags_tenant_id_slug_key UNIQUE (tenant_id, slug),
    CONSTRAINT tags_slug_check CHECK (char_length(slug) BETWEEN 1 AND 100),
    CONSTRAINT tags_name_check CHECK (char_length(name) BETWEEN 1 AND 100)
);

COMMENT ON TABLE content.tags IS 'Free-form template tags.';
COMMENT ON COLUMN content.tags.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
