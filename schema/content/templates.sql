-- content: the After Effects template catalogue.

CREATE TABLE content.templates (
    id           uuid          NOT NULL DEFAULT gen_random_uuid(),
    tenant_id    uuid          NOT NULL,
    category_id  uuid,
    slug         public.citext NOT NULL,
    title        text          NOT NULL,
    description  text,
    aep_file_id  uuid,
    duration_ms  integer       NOT NULL,
    fps          smallint      NOT NULL,
    width        integer       NOT NULL,
    height       integer       NOT NULL,
    is_premium   boolean       NOT NULL DEFAULT false,
    status       text          NOT NULL DEFAULT 'draft',
    published_at timestamptz,
    created_at   timestamptz   NOT NULL DEFAULT now(),
    updated_at   timestamptz   NOT NULL DEFAULT now(),
    deleted_at   timestamptz,
    CONSTRAINT templates_pkey PRIMARY KEY (id),
    CONSTRAINT templates_category_id_fkey FOREIGN KEY (category_id)
        REFERENCES content.categories (id) ON DELETE SET NULL,
    CONSTRAINT templates_tenant_id_slug_key UNIQUE (tenant_id, slug),
    CONSTRAINT templates_slug_check CHECK (char_length(slug) BETWEEN 1 AND 200),
    CONSTRAINT templates_title_check CHECK (char_length(title) BETWEEN 1 AND 200),
    CONSTRAINT templates_duration_ms_check CHECK (duration_ms > 0),
    CONSTRAINT templates_fps_check CHECK (fps BETWEEN 1 AND 120),
    CONSTRAINT templates_width_check CHECK (width BETWEEN 1 AND 8192),
    CONSTRAINT templates_height_check CHECK (height BETWEEN 1 AND 8192),
    CONSTRAINT templates_status_check CHECK (status IN ('draft', 'published', 'archived')),
    CONSTRAINT templates_published_at_check CHECK (status <> 'published' OR published_at IS NOT NULL)
);

CREATE INDEX templates_category_id_idx ON content.templates (category_id);
CREATE INDEX templates_tenant_id_status_published_at_idx
    ON content.templates (tenant_id, status, published_at) WHERE deleted_at IS NULL;

COMMENT ON TABLE content.templates IS 'After Effects template catalogue; soft-deleted via deleted_at.';
COMMENT ON COLUMN content.templates.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN content.templates.aep_file_id IS 'soft reference -> file_mgr.files.id: the .aep project file rendered by the nodes; NULL while a draft has no file yet';


CREATE TABLE content.template_tags (
    tenant_id   uuid        NOT NULL,
    template_id uuid        NOT NULL,
    tag_id      uuid        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT template_tags_pkey PRIMARY KEY (template_id, tag_id),
    CONSTRAINT template_tags_template_id_fkey FOREIGN KEY (template_id)
        REFERENCES content.templates (id) ON DELETE CASCADE,
    CONSTRAINT template_tags_tag_id_fkey FOREIGN KEY (tag_id)
        REFERENCES content.tags (id) ON DELETE CASCADE
);

CREATE INDEX template_tags_tag_id_idx ON content.template_tags (tag_id);

COMMENT ON TABLE content.template_tags IS 'Many-to-many link between templates and tags.';
COMMENT ON COLUMN content.template_tags.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
