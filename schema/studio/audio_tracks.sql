-- studio: audio library (music, voiceover, sound effects).

CREATE TABLE studio.audio_tracks (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id   uuid        NOT NULL,
    kind        text        NOT NULL,
    title       text        NOT NULL,
    artist      text,
    file_id     uuid        NOT NULL,
    duration_ms integer     NOT NULL,
    is_premium  boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audio_tracks_pkey PRIMARY KEY (id),
    CONSTRAINT audio_tracks_kind_check CHECK (kind IN ('music', 'voiceover', 'sfx')),
    CONSTRAINT audio_tracks_title_check CHECK (char_length(title) BETWEEN 1 AND 200),
    CONSTRAINT audio_tracks_artist_check CHECK (char_length(artist) <= 200),
    CONSTRAINT audio_tracks_duration_ms_check CHECK (duration_ms > 0)
);

CREATE INDEX audio_tracks_tenant_id_kind_idx ON studio.audio_tracks (tenant_id, kind);

COMMENT ON TABLE studio.audio_tracks IS 'Audio library users pick music, voiceover and sound effects from.';
COMMENT ON COLUMN studio.audio_tracks.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN studio.audio_tracks.file_id IS 'soft reference -> file_mgr.files.id: the audio file';
