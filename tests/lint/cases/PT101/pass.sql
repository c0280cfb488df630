CREATE TABLE app.logs (
    id bigint GENERATED ALWAYS AS IDENTITY,
    requested_at timestamptz NOT NULL
) PARTITION BY RANGE (requested_at);
CREATE TABLE app.logs_2026_01 PARTITION OF app.logs
    FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');
