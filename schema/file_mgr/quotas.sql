-- file_mgr: per-user storage quotas.

CREATE TABLE file_mgr.quotas (
    tenant_id   uuid        NOT NULL,
    user_id     uuid        NOT NULL,
    limit_bytes bigint      NOT NULL,
    used_bytes  bigint      NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT quotas_pkey PRIMARY KEY (tenant_id, user_id),
    CONSTRAINT quotas_limit_bytes_check CHECK (limit_bytes >= 0),
    CONSTRAINT quotas_used_bytes_check CHECK (used_bytes >= 0)
);

COMMENT ON TABLE file_mgr.quotas IS 'Storage quota and current usage per user (used_bytes may exceed limit_bytes after a plan downgrade).';
COMMENT ON COLUMN file_mgr.quotas.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN file_mgr.quotas.user_id IS 'soft reference -> identity.users.id: user the quota applies to';
