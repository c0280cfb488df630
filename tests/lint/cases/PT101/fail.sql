CREATE TABLE app.logs (  -- expect: PT101@14
    id bigint GENERATED ALWAYS AS IDENTITY,
    requested_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL
) PARTITION BY RANGE (created_at);
CREATE TABLE app.logs_2026_01 PARTITION OF app.logs FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
CREATE TABLE app.health (  -- expect: PT101@14
    recorded_at timestamptz NOT NULL
) PARTITION BY RANGE (recorded_at);
CREATE TABLE app.health_2026_02 PARTITION OF app.health FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
