-- render: render jobs, the frame ranges they are split into, and frame repairs.

CREATE TABLE render.render_jobs (
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id        uuid        NOT NULL,
    user_id          uuid        NOT NULL,
    saved_project_id uuid        NOT NULL,
    template_id      uuid        NOT NULL,
    status           text        NOT NULL DEFAULT 'queued',
    priority         smallint    NOT NULL DEFAULT 100,
    resolution       text        NOT NULL,
    fps              smallint    NOT NULL,
    has_voiceover    boolean     NOT NULL DEFAULT false,
    progress         smallint    NOT NULL DEFAULT 0,
    node_id          uuid,
    queued_at        timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    error            text,
    output_file_id   uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT render_jobs_pkey PRIMARY KEY (id),
    CONSTRAINT render_jobs_node_id_fkey FOREIGN KEY (node_id)
        REFERENCES render.nodes (id) ON DELETE SET NULL,
    CONSTRAINT render_jobs_status_check
        CHECK (status IN ('queued', 'assigned', 'rendering', 'encoding', 'completed', 'failed', 'canceled')),
    CONSTRAINT render_jobs_priority_check CHECK (priority BETWEEN 0 AND 1000),
    CONSTRAINT render_jobs_resolution_check
        CHECK (resolution IN ('480p', '720p', '1080p', '1440p', '2160p')),
    CONSTRAINT render_jobs_fps_check CHECK (fps BETWEEN 1 AND 120),
    CONSTRAINT render_jobs_progress_check CHECK (progress BETWEEN 0 AND 100),
    CONSTRAINT render_jobs_finished_at_check CHECK (finished_at >= started_at)
);

-- The queue: next job = lowest priority value, then oldest, among status = 'queued'.
CREATE INDEX render_jobs_status_priority_queued_at_idx
    ON render.render_jobs (status, priority, queued_at);
CREATE INDEX render_jobs_tenant_id_created_at_idx ON render.render_jobs (tenant_id, created_at);
CREATE INDEX render_jobs_user_id_created_at_idx ON render.render_jobs (user_id, created_at);
CREATE INDEX render_jobs_saved_project_id_idx ON render.render_jobs (saved_project_id);
CREATE INDEX render_jobs_node_id_idx ON render.render_jobs (node_id);

COMMENT ON TABLE render.render_jobs IS 'Render requests of a saved project, queued, dispatched to nodes and tracked to the output file.';
COMMENT ON COLUMN render.render_jobs.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN render.render_jobs.user_id IS 'soft reference -> identity.users.id: user who requested the render';
COMMENT ON COLUMN render.render_jobs.saved_project_id IS 'soft reference -> studio.saved_projects.id: project being rendered';
COMMENT ON COLUMN render.render_jobs.template_id IS 'soft reference -> content.templates.id: template of the project, for the node AEP cache';
COMMENT ON COLUMN render.render_jobs.output_file_id IS 'soft reference -> file_mgr.files.id: the rendered video';
COMMENT ON COLUMN render.render_jobs.priority IS 'Lower value is dispatched first (0 = most urgent, default 100).';
COMMENT ON COLUMN render.render_jobs.progress IS 'Percent complete, 0..100.';


CREATE TABLE render.frame_jobs (
    id            uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id     uuid        NOT NULL,
    render_job_id uuid        NOT NULL,
    node_id       uuid,
    frame_start   integer     NOT NULL,
    frame_end     integer     NOT NULL,
    status        text        NOT NULL DEFAULT 'pending',
    attempts      smallint    NOT NULL DEFAULT 0,
    started_at    timestamptz,
    finished_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT frame_jobs_pkey PRIMARY KEY (id),
    CONSTRAINT frame_jobs_render_job_id_fkey FOREIGN KEY (render_job_id)
        REFERENCES render.render_jobs (id) ON DELETE CASCADE,
    CONSTRAINT frame_jobs_node_id_fkey FOREIGN KEY (node_id)
        REFERENCES render.nodes (id) ON DELETE SET NULL,
    CONSTRAINT frame_jobs_frame_start_check CHECK (frame_start >= 0 AND frame_start <= frame_end),
    CONSTRAINT frame_jobs_status_check
        CHECK (status IN ('pending', 'assigned', 'rendering', 'done', 'failed')),
    CONSTRAINT frame_jobs_attempts_check CHECK (attempts >= 0),
    CONSTRAINT frame_jobs_finished_at_check CHECK (finished_at >= started_at)
);

CREATE INDEX frame_jobs_render_job_id_idx ON render.frame_jobs (render_job_id);
CREATE INDEX frame_jobs_node_id_idx ON render.frame_jobs (node_id);
CREATE INDEX frame_jobs_status_idx ON render.frame_jobs (status);

COMMENT ON TABLE render.frame_jobs IS 'A render job split into frame ranges distributed over nodes.';
COMMENT ON COLUMN render.frame_jobs.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN render.frame_jobs.frame_end IS 'Last frame of the range, inclusive.';


CREATE TABLE render.frame_repair_jobs (
    id            uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id     uuid        NOT NULL,
    render_job_id uuid        NOT NULL,
    frame_job_id  uuid        NOT NULL,
    node_id       uuid,
    reason        text        NOT NULL,
    status        text        NOT NULL DEFAULT 'pending',
    attempts      smallint    NOT NULL DEFAULT 0,
    finished_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT frame_repair_jobs_pkey PRIMARY KEY (id),
    CONSTRAINT frame_repair_jobs_render_job_id_fkey FOREIGN KEY (render_job_id)
        REFERENCES render.render_jobs (id) ON DELETE CASCADE,
    CONSTRAINT frame_repair_jobs_frame_job_id_fkey FOREIGN KEY (frame_job_id)
        REFERENCES render.frame_jobs (id) ON DELETE CASCADE,
    CONSTRAINT frame_repair_jobs_node_id_fkey FOREIGN KEY (node_id)
        REFERENCES render.nodes (id) ON DELETE SET NULL,
    CONSTRAINT frame_repair_jobs_reason_check CHECK (char_length(reason) BETWEEN 1 AND 1000),
    CONSTRAINT frame_repair_jobs_status_check
        CHECK (status IN ('pending', 'running', 'done', 'failed')),
    CONSTRAINT frame_repair_jobs_attempts_check CHECK (attempts >= 0)
);

CREATE INDEX frame_repair_jobs_render_job_id_idx ON render.frame_repair_jobs (render_job_id);
CREATE INDEX frame_repair_jobs_frame_job_id_idx ON render.frame_repair_jobs (frame_job_id);
CREATE INDEX frame_repair_jobs_node_id_idx ON render.frame_repair_jobs (node_id);
CREATE INDEX frame_repair_jobs_status_idx ON render.frame_repair_jobs (status);

COMMENT ON TABLE render.frame_repair_jobs IS 'Re-render of a frame range found missing or corrupt after a render.';
COMMENT ON COLUMN render.frame_repair_jobs.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN render.frame_repair_jobs.reason IS 'Why the frames need repair (missing frame, corrupt output, crash, ...).';
