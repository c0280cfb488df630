CREATE TABLE app.no_tenant (id uuid PRIMARY KEY);  -- expect: TN101@14
CREATE TABLE app.nullable (
    id uuid PRIMARY KEY,
    tenant_id uuid  -- expect: TN101@5
);
CREATE TABLE app.wrong_type (
    id uuid PRIMARY KEY,
    tenant_id bigint NOT NULL  -- expect: TN101
);
