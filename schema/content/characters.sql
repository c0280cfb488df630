-- content: rigged characters and presets (colour, font, character).

CREATE TABLE content.characters (
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id         uuid        NOT NULL,
    name              text        NOT NULL,
    rig               jsonb       NOT NULL DEFAULT '{}',
    thumbnail_file_id uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT characters_pkey PRIMARY KEY (id),
    CONSTRAINT characters_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT characters_rig_check CHECK (jsonb_typeof(rig) = 'object')
);

CREATE INDEX characters_tenant_id_idx ON content.characters (tenant_id);

COMMENT ON TABLE content.characters IS 'Rigged characters usable in templates.';
COMMENT ON COLUMN content.characters.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN content.characters.thumbnail_file_id IS 'soft reference -> file_mgr.files.id: character thumbnail image';


CREATE TABLE content.presets (
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id    uuid        NOT NULL,
    template_id  uuid,
    character_id uuid,
    kind         text        NOT NULL,
    name         text,
    values       jsonb       NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT presets_pkey PRIMARY KEY (id),
    CONSTRAINT presets_template_id_fkey FOREIGN KEY (template_id)
        REFERENCES content.templates (id) ON DELETE CASCADE,
    CONSTRAINT presets_character_id_fkey FOREIGN KEY (character_id)
        REFERENCES content.characters (id) ON DELETE CASCADE,
    CONSTRAINT presets_kind_check CHECK (kind IN ('colour', 'font', 'character')),
    CONSTRAINT presets_character_id_check CHECK (kind <> 'character' OR character_id IS NOT NULL),
    CONSTRAINT presets_name_check CHECK (char_length(name) <= 200),
    CONSTRAINT presets_values_check CHECK (jsonb_typeof(values) = 'object')
);

CREATE INDEX presets_template_id_idx ON content.presets (template_id);
CREATE INDEX presets_character_id_idx ON content.presets (character_id);
CREATE INDEX presets_tenant_id_kind_idx ON content.presets (tenant_id, kind);

COMMENT ON TABLE content.presets IS 'Reusable colour, font and character presets, optionally bound to a template and/or a character.';
COMMENT ON COLUMN content.presets.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN content.presets.template_id IS 'Template the preset is for; NULL = usable with any template.';
