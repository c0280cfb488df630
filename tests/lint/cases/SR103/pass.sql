CREATE TABLE app.categories (id uuid PRIMARY KEY);
CREATE TABLE app.t (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    declared_file_id uuid,
    category_id uuid REFERENCES app.categories (id),
    upload_id text,
    session_id uuid
);
