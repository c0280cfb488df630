-- file_mgr: multipart (resumable) uploads.

CREATE TABLE file_mgr.upload_sessions (
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id    uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    folder_id    uuid,
    file_id      uuid,
    file_name    text        NOT NULL,
    mime_type    text,
    size_bytes   bigint      NOT NULL,
    part_size    bigint      NOT NULL,
    upload_id    text        NOT NULL,
    status       text        NOT NULL DEFAULT 'pending',
    expires_at   timestamptz NOT NULL,
    completed_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT upload_sessions_pkey PRIMARY KEY (id),
    CONSTRAINT upload_sessions_folder_id_fkey FOREIGN KEY (folder_id)
        REFERENCES file_mgr.folders (id) ON DELETE SET NULL,
    CONSTRAINT upload_sessions_file_id_fkey FOREIGN KEY (file_id)
        REFERENCES file_mgr.files (id) ON DELETE SET NULL,
    CONSTRAINT upload_sessions_file_name_check CHECK (char_length(file_name) BETWEEN 1 AND 255),
    CONSTRAINT upload_sessions_size_bytes_check CHECK (size_bytes > 0),
    CONSTRAINT upload_sessions_part_size_check CHECK (part_size > 0),
    CONSTRAINT upload_sessions_status_check
        CHECK (status IN ('pending', 'uploading', 'completed', 'aborted', 'expired')),
    CONSTRAINT upload_sessions_file_id_check CHECK (status <> 'completed' OR file_id IS NOT NULL)
);

CREATE INDEX upload_sessions_tenant_id_idx ON file_mgr.upload_sessions (tenant_id);
CREATE INDEX upload_sessions_user_id_idx ON file_mgr.upload_sessions (user_id);
CREATE INDEX upload_sessions_folder_id_idx ON file_mgr.upload_sessions (folder_id);
CREATE INDEX upload_sessions_file_id_idx ON file_mgr.upload_sessions (file_id);
CREATE INDEX upload_sessions_status_expires_at_idx ON file_mgr.upload_sessions (status, expires_at);

COMMENT ON TABLE file_mgr.upload_sessions IS 'Multipart uploads in progress; the file row is created on completion.';
COMMENT ON COLUMN file_mgr.upload_sessions.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN file_mgr.upload_sessions.user_id IS 'soft reference -> identity.users.id: user uploading';
COMMENT ON COLUMN file_mgr.upload_sessions.upload_id IS 'Multipart upload id issued by the object store.';
COMMENT ON COLUMN file_mgr.upload_sessions.file_id IS 'File created when the upload completed.';


CREATE TABLE file_mgr.upload_parts (
    tenant_id         uuid        NOT NULL,
    upload_session_id uuid        NOT NULL,
    part_number       integer     NOT NULL,
    etag              text        NOT NULL,
    size_bytes        bigint      NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT upload_parts_pkey PRIMARY KEY (upload_session_id, part_number),
    CONSTRAINT upload_parts_upload_session_id_fkey FOREIGN KEY (upload_session_id)
        REFERENCES file_mgr.upload_sessions (id) ON DELETE CASCADE,
    CONSTRAINT upload_parts_part_number_check CHECK (part_number BETWEEN 1 AND 10000),
    CONSTRAINT upload_parts_size_bytes_check CHECK (size_bytes > 0)
);

COMMENT ON TABLE file_mgr.upload_parts IS 'Parts received for a multipart upload, with the ETag the object store returned.';
COMMENT ON COLUMN file_mgr.upload_parts.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
