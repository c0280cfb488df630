-- studio: a user's saved projects (template + edits + audio mix) and their scenes and sound effects.

CREATE TABLE studio.saved_projects (
    id                 uuid         NOT NULL DEFAULT gen_random_uuid(),
    tenant_id          uuid         NOT NULL,
    user_id            uuid         NOT NULL,
    template_id        uuid         NOT NULL,
    title              text         NOT NULL,
    data               jsonb        NOT NULL DEFAULT '{}',
    music_track_id     uuid,
    music_volume       numeric(3,2) NOT NULL DEFAULT 1,
    sfx_volume         numeric(3,2) NOT NULL DEFAULT 1,
    voiceover_volume   numeric(3,2) NOT NULL DEFAULT 1,
    voiceover_file_id  uuid,
    voiceover_text     text,
    voiceover_voice    text,
    voiceover_status   text         NOT NULL DEFAULT 'none',
    last_render_job_id uuid,
    created_at         timestamptz  NOT NULL DEFAULT now(),
    updated_at         timestamptz  NOT NULL DEFAULT now(),
    deleted_at         timestamptz,
    CONSTRAINT saved_projects_pkey PRIMARY KEY (id),
    CONSTRAINT saved_projects_music_track_id_fkey FOREIGN KEY (music_track_id)
        REFERENCES studio.audio_tracks (id) ON DELETE SET NULL,
    CONSTRAINT saved_projects_title_check CHECK (char_length(title) BETWEEN 1 AND 200),
    CONSTRAINT saved_projects_data_check CHECK (jsonb_typeof(data) = 'object'),
    CONSTRAINT saved_projects_music_volume_check CHECK (music_volume BETWEEN 0 AND 1),
    CONSTRAINT saved_projects_sfx_volume_check CHECK (sfx_volume BETWEEN 0 AND 1),
    CONSTRAINT saved_projects_voiceover_volume_check CHECK (voiceover_volume BETWEEN 0 AND 1),
    CONSTRAINT saved_projects_voiceover_text_check CHECK (char_length(voiceover_text) <= 10000),
    CONSTRAINT saved_projects_voiceover_voice_check CHECK (char_length(voiceover_voice) <= 100),
    CONSTRAINT saved_projects_voiceover_status_check
        CHECK (voiceover_status IN ('none', 'pending', 'generating', 'ready', 'failed'))
);

CREATE INDEX saved_projects_tenant_id_idx ON studio.saved_projects (tenant_id);
CREATE INDEX saved_projects_user_id_updated_at_idx
    ON studio.saved_projects (user_id, updated_at) WHERE deleted_at IS NULL;
CREATE INDEX saved_projects_template_id_idx ON studio.saved_projects (template_id);
CREATE INDEX saved_projects_music_track_id_idx ON studio.saved_projects (music_track_id);

COMMENT ON TABLE studio.saved_projects IS 'A user''s project: chosen template, edited values, audio mix and voiceover; soft-deleted via deleted_at.';
COMMENT ON COLUMN studio.saved_projects.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN studio.saved_projects.user_id IS 'soft reference -> identity.users.id: owner of the project';
COMMENT ON COLUMN studio.saved_projects.template_id IS 'soft reference -> content.templates.id: template the project is based on';
COMMENT ON COLUMN studio.saved_projects.voiceover_file_id IS 'soft reference -> file_mgr.files.id: uploaded or generated voiceover audio';
COMMENT ON COLUMN studio.saved_projects.last_render_job_id IS 'soft reference -> render.render_jobs.id: most recent render of this project';
COMMENT ON COLUMN studio.saved_projects.voiceover_text IS 'Script for a text-to-speech voiceover.';
COMMENT ON COLUMN studio.saved_projects.voiceover_voice IS 'Text-to-speech voice identifier.';
COMMENT ON COLUMN studio.saved_projects.voiceover_status IS 'none = no voiceover; pending/generating/ready/failed track text-to-speech or upload processing.';
COMMENT ON COLUMN studio.saved_projects.music_volume IS 'Mix gain 0..1 of the music track.';


CREATE TABLE studio.saved_project_scenes (
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id        uuid        NOT NULL,
    saved_project_id uuid        NOT NULL,
    position         integer     NOT NULL,
    scene_id         uuid        NOT NULL,
    values           jsonb       NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT saved_project_scenes_pkey PRIMARY KEY (id),
    CONSTRAINT saved_project_scenes_saved_project_id_fkey FOREIGN KEY (saved_project_id)
        REFERENCES studio.saved_projects (id) ON DELETE CASCADE,
    CONSTRAINT saved_project_scenes_saved_project_id_position_key UNIQUE (saved_project_id, position),
    CONSTRAINT saved_project_scenes_position_check CHECK (position >= 0),
    CONSTRAINT saved_project_scenes_values_check CHECK (jsonb_typeof(values) = 'object')
);

COMMENT ON TABLE studio.saved_project_scenes IS 'Scenes of a saved project in order, with the user''s values for the editable fields.';
COMMENT ON COLUMN studio.saved_project_scenes.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN studio.saved_project_scenes.scene_id IS 'soft reference -> content.scenes.id: template scene this entry fills in';


CREATE TABLE studio.saved_project_sfx (
    id               uuid         NOT NULL DEFAULT gen_random_uuid(),
    tenant_id        uuid         NOT NULL,
    saved_project_id uuid         NOT NULL,
    audio_track_id   uuid         NOT NULL,
    start_ms         integer      NOT NULL,
    volume           numeric(3,2) NOT NULL DEFAULT 1,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT saved_project_sfx_pkey PRIMARY KEY (id),
    CONSTRAINT saved_project_sfx_saved_project_id_fkey FOREIGN KEY (saved_project_id)
        REFERENCES studio.saved_projects (id) ON DELETE CASCADE,
    CONSTRAINT saved_project_sfx_audio_track_id_fkey FOREIGN KEY (audio_track_id)
        REFERENCES studio.audio_tracks (id),
    CONSTRAINT saved_project_sfx_start_ms_check CHECK (start_ms >= 0),
    CONSTRAINT saved_project_sfx_volume_check CHECK (volume BETWEEN 0 AND 1)
);

CREATE INDEX saved_project_sfx_saved_project_id_idx ON studio.saved_project_sfx (saved_project_id);
CREATE INDEX saved_project_sfx_audio_track_id_idx ON studio.saved_project_sfx (audio_track_id);

COMMENT ON TABLE studio.saved_project_sfx IS 'Sound effects placed on a saved project''s timeline.';
COMMENT ON COLUMN studio.saved_project_sfx.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN studio.saved_project_sfx.start_ms IS 'Offset from the start of the video, in milliseconds.';
