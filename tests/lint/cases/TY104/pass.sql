CREATE TABLE app.t (
    id uuid PRIMARY KEY,
    name text,
    CONSTRAINT t_name_check CHECK (char_length(name) <= 100)
);
