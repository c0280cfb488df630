-- render: scene snapshots (preview cache) and exports of finished renders.

CREATE TABLE render.snapshots (
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id        uuid        NOT NULL,
    saved_project_id uuid        NOT NULL,
    scene_index      integer     NOT NULL,
    cache_key        text        NOT NULL,
    file_id          uuid        NOT NULL,
    expires_at       timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT snapshots_pkey PRIMARY KEY (id),
    CONSTRAINT snapshots_cache_key_key UNIQUE (cache_key),
    CONSTRAINT snapshots_scene_index_check CHECK (scene_index >= 0),
    CONSTRAINT snapshots_cache_key_check CHECK (char_length(cache_key) BETWEEN 1 AND 256)
);

CREATE INDEX snapshots_saved_project_id_idx ON render.snapshots (saved_project_id);
CREATE INDEX snapshots_expires_at_idx ON render.snapshots (expires_at);

COMMENT ON TABLE render.snapshots IS 'Cached still renders of one scene of a project, keyed by a hash of everything that affects the image.';
COMMENT ON COLUMN render.snapshots.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN render.snapshots.saved_project_id IS 'soft reference -> studio.saved_projects.id: project the snapshot was taken of';
COMMENT ON COLUMN render.snapshots.file_id IS 'soft reference -> file_mgr.files.id: the snapshot image';
COMMENT ON COLUMN render.snapshots.scene_index IS 'Zero-based position of the scene in the project.';


CREATE TABLE render.exports (
    id            uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id     uuid        NOT NULL,
    render_job_id uuid        NOT NULL,
    format        text        NOT NULL,
    resolution    text        NOT NULL,
    file_id       uuid,
    size_bytes    bigint,
    status        text        NOT NULL DEFAULT 'pending',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT exports_pkey PRIMARY KEY (id),
    CONSTRAINT exports_render_job_id_fkey FOREIGN KEY (render_job_id)
        REFERENCES render.render_jobs (id) ON DELETE CASCADE,
    CONSTRAINT exports_format_check CHECK (format IN ('mp4', 'webm', 'gif')),
    CONSTRAINT exports_resolution_check
        CHECK (resolution IN ('480p', '720p', '1080p', '1440p', '2160p')),
    CONSTRAINT exports_size_bytes_check CHECK (size_bytes >= 0),
    CONSTRAINT exports_status_check CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
    CONSTRAINT exports_file_id_check CHECK (status <> 'ready' OR file_id IS NOT NULL)
);

CREATE INDEX exports_render_job_id_idx ON render.exports (render_job_id);

COMMENT ON TABLE render.exports IS 'Transcodes of a finished render into a delivery format and resolution.';
COMMENT ON COLUMN render.exports.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN render.exports.file_id IS 'soft reference -> file_mgr.files.id: the exported file; NULL until ready';
