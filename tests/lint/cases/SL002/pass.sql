CREATE TABLE app.t (
    id uuid PRIMARY KEY,
    at timestamp  -- schema-lint: ignore TY101 reason: legacy export without zone
);
