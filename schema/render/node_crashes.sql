-- render: After Effects crash tracking and auto-recovery.

CREATE TABLE render.node_crashes (
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id       uuid        NOT NULL,
    node_id         uuid        NOT NULL,
    render_job_id   uuid        NOT NULL,
    exit_code       integer,
    log_excerpt     text,
    crashed_at      timestamptz NOT NULL DEFAULT now(),
    recovered_at    timestamptz,
    recovery_action text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT node_crashes_pkey PRIMARY KEY (id),
    CONSTRAINT node_crashes_node_id_fkey FOREIGN KEY (node_id)
        REFERENCES render.nodes (id) ON DELETE CASCADE,
    CONSTRAINT node_crashes_render_job_id_fkey FOREIGN KEY (render_job_id)
        REFERENCES render.render_jobs (id) ON DELETE CASCADE,
    CONSTRAINT node_crashes_log_excerpt_check CHECK (char_length(log_excerpt) <= 65536),
    CONSTRAINT node_crashes_recovered_at_check CHECK (recovered_at >= crashed_at),
    CONSTRAINT node_crashes_recovery_action_check CHECK (recovery_action ~ '^[a-z][a-z0-9_]{0,63}$')
);

CREATE INDEX node_crashes_node_id_crashed_at_idx ON render.node_crashes (node_id, crashed_at);
CREATE INDEX node_crashes_render_job_id_idx ON render.node_crashes (render_job_id);

COMMENT ON TABLE render.node_crashes IS 'After Effects crashes on a node during a render job, and how they were recovered.';
COMMENT ON COLUMN render.node_crashes.tenant_id IS 'soft reference -> identity.tenants.id: tenant of the crashed render job (no cross-schema FK)';
COMMENT ON COLUMN render.node_crashes.recovery_action IS 'Lower-case action taken by auto-recovery (e.g. restart_ae, reassign_job, reboot_node); NULL until recovered.';
