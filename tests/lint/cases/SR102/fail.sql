CREATE TABLE app.t (
    id uuid PRIMARY KEY,
    file_id uuid,  -- expect: SR102@5
    logo_file_id uuid
);
COMMENT ON COLUMN app.t.logo_file_id IS 'the logo, stored by the file service';  -- expect: SR102@1
