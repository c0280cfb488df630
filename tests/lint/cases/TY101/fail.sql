CREATE TABLE app.t (
    id uuid PRIMARY KEY,
    a timestamp,  -- expect: TY101@7
    b timestamp(3) without time zone  -- expect: TY101@7
);
ALTER TABLE app.t ADD COLUMN c timestamp;  -- expect: TY101@32
