-- content: template scenes and their traced-SVG colour previews.

CREATE TABLE content.scenes (
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id         uuid        NOT NULL,
    template_id       uuid        NOT NULL,
    position          integer     NOT NULL,
    name              text        NOT NULL,
    duration_frames   integer     NOT NULL,
    thumbnail_file_id uuid,
    editable_fields   jsonb       NOT NULL DEFAULT '[]',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT scenes_pkey PRIMARY KEY (id),
    CONSTRAINT scenes_template_id_fkey FOREIGN KEY (template_id)
        REFERENCES content.templates (id) ON DELETE CASCADE,
    CONSTRAINT scenes_template_id_position_key UNIQUE (template_id, position),
    CONSTRAINT scenes_position_check CHECK (position >= 0),
    CONSTRAINT scenes_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT scenes_duration_frames_check CHECK (duration_frames > 0),
    CONSTRAINT scenes_editable_fields_check CHECK (jsonb_typeof(editable_fields) = 'array')
);

COMMENT ON TABLE content.scenes IS 'Ordered scenes of a template, with the fields a user may edit in each.';
COMMENT ON COLUMN content.scenes.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN content.scenes.thumbnail_file_id IS 'soft reference -> file_mgr.files.id: scene thumbnail image';
COMMENT ON COLUMN content.scenes.position IS 'Zero-based order of the scene within its template.';


CREATE TABLE content.template_svg_previews (
    id             uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id      uuid        NOT NULL,
    template_id    uuid        NOT NULL,
    scene_id       uuid,
    svg            text        NOT NULL,
    palette        jsonb       NOT NULL DEFAULT '[]',
    source_file_id uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT template_svg_previews_pkey PRIMARY KEY (id),
    CONSTRAINT template_svg_previews_template_id_fkey FOREIGN KEY (template_id)
        REFERENCES content.templates (id) ON DELETE CASCADE,
    CONSTRAINT template_svg_previews_scene_id_fkey FOREIGN KEY (scene_id)
        REFERENCES content.scenes (id) ON DELETE CASCADE,
    CONSTRAINT template_svg_previews_palette_check CHECK (jsonb_typeof(palette) = 'array')
);

CREATE INDEX template_svg_previews_template_id_idx ON content.template_svg_previews (template_id);
CREATE INDEX template_svg_previews_scene_id_idx ON content.template_svg_previews (scene_id);

COMMENT ON TABLE content.template_svg_previews IS 'SVG colour previews: an image dropped on a template/scene, traced to SVG, with its extracted palette.';
COMMENT ON COLUMN content.template_svg_previews.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN content.template_svg_previews.scene_id IS 'Scene the preview belongs to; NULL for a whole-template preview.';
COMMENT ON COLUMN content.template_svg_previews.source_file_id IS 'soft reference -> file_mgr.files.id: the dropped source image that was traced';
