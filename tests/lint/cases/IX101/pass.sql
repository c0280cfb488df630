CREATE TABLE app.parent (id uuid PRIMARY KEY);
CREATE TABLE app.child (
    id uuid PRIMARY KEY,
    parent_id uuid,
    other_id uuid,
    tenant_id uuid,
    CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES app.parent (id),
    CONSTRAINT child_other_fkey FOREIGN KEY (tenant_id, other_id) REFERENCES app.parent (id, id),
    CONSTRAINT child_tenant_other_key UNIQUE (other_id, tenant_id, id)
);
CREATE INDEX child_parent_id_idx ON app.child (parent_id);
CREATE TABLE app.link (parent_id uuid REFERENCES app.parent (id), n int, PRIMARY KEY (parent_id, n));
