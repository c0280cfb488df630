CREATE TABLE app.t (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
CREATE TABLE app.keyed (tenant_id uuid, day date, PRIMARY KEY (tenant_id, day));
CREATE TABLE app.later (id uuid PRIMARY KEY, tenant_id uuid);
ALTER TABLE app.later ALTER COLUMN tenant_id SET NOT NULL;
CREATE TABLE app.nodes (id uuid PRIMARY KEY);
CREATE TABLE app.logs (tenant_id uuid NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE app.logs_2026_01 PARTITION OF app.logs FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
