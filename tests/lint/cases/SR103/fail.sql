CREATE TABLE app.t (
    id uuid PRIMARY KEY,
    file_id uuid,  -- expect: SR103@5
    thumbnail_file_id uuid,  -- expect: SR103@5
    category_id bigint  -- expect: SR103@5
);
