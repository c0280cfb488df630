CREATE TABLE app.t (
    id uuid PRIMARY KEY,
    at timestamp  -- schema-lint: ignore TY999 reason: typo in the code -- expect: SL002
);
