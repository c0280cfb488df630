CREATE TABLE app.t (id uuid PRIMARY KEY, file_id uuid, logo_file_id uuid);
COMMENT ON COLUMN app.t.file_id IS 'soft reference -> files.files.id: the uploaded file';
COMMENT ON COLUMN app.t.logo_file_id IS 'soft reference -> files.files.id: the logo';
