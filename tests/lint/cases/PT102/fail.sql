CREATE TABLE app.events (at timestamptz NOT NULL) PARTITION BY RANGE (at);  -- expect: PT102@14
CREATE TABLE app.events_2026_01 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
