-- file_mgr: users' folders and files.

CREATE TABLE file_mgr.folders (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id  uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    parent_id  uuid,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT folders_pkey PRIMARY KEY (id),
    CONSTRAINT folders_parent_id_fkey FOREIGN KEY (parent_id)
        REFERENCES file_mgr.folders (id),
    CONSTRAINT folders_parent_id_check CHECK (parent_id <> id),
    CONSTRAINT folders_name_check CHECK (char_length(name) BETWEEN 1 AND 255 AND name !~ '[/\\]')
);

-- Name unique per user and parent among live folders (root folders: parent_id NULL, hence NULLS NOT DISTINCT);
-- a soft-deleted folder does not block re-using its name.
CREATE UNIQUE INDEX folders_user_id_parent_id_name_key
    ON file_mgr.folders (user_id, parent_id, name) NULLS NOT DISTINCT
    WHERE deleted_at IS NULL;
CREATE INDEX folders_parent_id_idx ON file_mgr.folders (parent_id);
CREATE INDEX folders_tenant_id_idx ON file_mgr.folders (tenant_id);

COMMENT ON TABLE file_mgr.folders IS 'A user''s folder tree; soft-deleted via deleted_at.';
COMMENT ON COLUMN file_mgr.folders.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN file_mgr.folders.user_id IS 'soft reference -> identity.users.id: owner of the folder';
COMMENT ON COLUMN file_mgr.folders.parent_id IS 'Parent folder; NULL = top level.';


CREATE TABLE file_mgr.files (
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id       uuid        NOT NULL,
    user_id         uuid,
    folder_id       uuid,
    name            text        NOT NULL,
    mime_type       text        NOT NULL,
    size_bytes      bigint      NOT NULL,
    storage_key     text        NOT NULL,
    checksum_sha256 text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    CONSTRAINT files_pkey PRIMARY KEY (id),
    CONSTRAINT files_folder_id_fkey FOREIGN KEY (folder_id)
        REFERENCES file_mgr.folders (id),
    CONSTRAINT files_storage_key_key UNIQUE (storage_key),
    CONSTRAINT files_name_check CHECK (char_length(name) BETWEEN 1 AND 255),
    CONSTRAINT files_mime_type_check CHECK (mime_type ~ '^[a-z]+/[A-Za-z0-9.+_-]+$' AND char_length(mime_type) <= 255),
    CONSTRAINT files_size_bytes_check CHECK (size_bytes >= 0),
    CONSTRAINT files_storage_key_check CHECK (char_length(storage_key) BETWEEN 1 AND 1024),
    CONSTRAINT files_checksum_sha256_check CHECK (checksum_sha256 ~ '^[0-9a-f]{64}$')
);

CREATE INDEX files_folder_id_idx ON file_mgr.files (folder_id);
CREATE INDEX files_tenant_id_idx ON file_mgr.files (tenant_id);
CREATE INDEX files_user_id_created_at_idx ON file_mgr.files (user_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX files_deleted_at_idx ON file_mgr.files (deleted_at) WHERE deleted_at IS NOT NULL;

COMMENT ON TABLE file_mgr.files IS 'Stored objects (uploads, template assets, renders, snapshots) and where they live in object storage; soft-deleted via deleted_at.';
COMMENT ON COLUMN file_mgr.files.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN file_mgr.files.user_id IS 'soft reference -> identity.users.id: owner whose quota the file counts against; NULL for system files (template assets, library audio)';
COMMENT ON COLUMN file_mgr.files.folder_id IS 'Folder the file is shown in; NULL = top level or not in the user''s file tree.';
COMMENT ON COLUMN file_mgr.files.storage_key IS 'Object-storage key of the content.';
COMMENT ON COLUMN file_mgr.files.checksum_sha256 IS 'Lower-case hex SHA-256 of the content; NULL until computed.';
