-- file_mgr: scheduled cleanup of expired or deleted storage.

CREATE TABLE file_mgr.cleanup_schedules (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id   uuid        NOT NULL,
    target      text        NOT NULL,
    older_than  interval    NOT NULL,
    cron        text        NOT NULL,
    last_run_at timestamptz,
    next_run_at timestamptz,
    is_active   boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cleanup_schedules_pkey PRIMARY KEY (id),
    CONSTRAINT cleanup_schedules_target_check CHECK (target ~ '^[a-z][a-z0-9_]{0,63}$'),
    CONSTRAINT cleanup_schedules_older_than_check CHECK (older_than > interval '0'),
    CONSTRAINT cleanup_schedules_cron_check CHECK (cron ~ '^\S+(\s+\S+){4}$')
);

CREATE INDEX cleanup_schedules_tenant_id_idx ON file_mgr.cleanup_schedules (tenant_id);
CREATE INDEX cleanup_schedules_next_run_at_idx ON file_mgr.cleanup_schedules (next_run_at) WHERE is_active;

COMMENT ON TABLE file_mgr.cleanup_schedules IS 'Cleanup jobs: purge a target (e.g. soft-deleted files, expired uploads) older than an age, on a cron schedule.';
COMMENT ON COLUMN file_mgr.cleanup_schedules.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN file_mgr.cleanup_schedules.target IS 'Lower-case identifier of what is cleaned, e.g. deleted_files, expired_uploads, snapshots.';
COMMENT ON COLUMN file_mgr.cleanup_schedules.cron IS 'Five-field cron expression (UTC).';
