CREATE TABLE app.t (
    id uuid PRIMARY KEY,
    -- schema-lint: ignore TY101 reason: mirrors a legacy export that has no zone
    at timestamp
);
