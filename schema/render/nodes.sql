-- render: render nodes (shared hardware, tenant-exempt), their health log and AEP cache.

CREATE TABLE render.nodes (
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    hostname          text        NOT NULL,
    ip                inet,
    gpu_model         text,
    ae_version        text,
    status            text        NOT NULL DEFAULT 'offline',
    max_concurrency   smallint    NOT NULL DEFAULT 1,
    last_heartbeat_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT nodes_pkey PRIMARY KEY (id),
    CONSTRAINT nodes_hostname_key UNIQUE (hostname),
    CONSTRAINT nodes_hostname_check CHECK (char_length(hostname) BETWEEN 1 AND 253),
    CONSTRAINT nodes_status_check CHECK (status IN ('online', 'draining', 'offline', 'maintenance')),
    CONSTRAINT nodes_max_concurrency_check CHECK (max_concurrency > 0)
);

COMMENT ON TABLE render.nodes IS 'After Effects render machines; shared by all tenants (tenant-exempt).';
COMMENT ON COLUMN render.nodes.ae_version IS 'After Effects version installed on the node.';


CREATE TABLE render.node_health_logs (
    id              bigint       GENERATED ALWAYS AS IDENTITY,
    node_id         uuid         NOT NULL,
    recorded_at     timestamptz  NOT NULL DEFAULT now(),
    cpu_percent     numeric(5,2),
    gpu_percent     numeric(5,2),
    mem_percent     numeric(5,2),
    disk_free_bytes bigint,
    CONSTRAINT node_health_logs_pkey PRIMARY KEY (id, recorded_at),
    CONSTRAINT node_health_logs_node_id_fkey FOREIGN KEY (node_id)
        REFERENCES render.nodes (id) ON DELETE CASCADE,
    CONSTRAINT node_health_logs_cpu_percent_check CHECK (cpu_percent BETWEEN 0 AND 100),
    CONSTRAINT node_health_logs_gpu_percent_check CHECK (gpu_percent BETWEEN 0 AND 100),
    CONSTRAINT node_health_logs_mem_percent_check CHECK (mem_percent BETWEEN 0 AND 100),
    CONSTRAINT node_health_logs_disk_free_bytes_check CHECK (disk_free_bytes >= 0)
) PARTITION BY RANGE (recorded_at);

CREATE TABLE render.node_health_logs_2026_01
    PARTITION OF render.node_health_logs
    FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');

CREATE INDEX node_health_logs_node_id_recorded_at_idx ON render.node_health_logs (node_id, recorded_at);

COMMENT ON TABLE render.node_health_logs IS 'Periodic node health samples, range-partitioned by month on recorded_at (append-only, tenant-exempt).';


CREATE TABLE render.node_template_cache (
    node_id      uuid        NOT NULL,
    template_id  uuid        NOT NULL,
    aep_checksum text        NOT NULL,
    size_bytes   bigint      NOT NULL,
    hit_count    bigint      NOT NULL DEFAULT 0,
    last_used_at timestamptz NOT NULL DEFAULT now(),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT node_template_cache_pkey PRIMARY KEY (node_id, template_id),
    CONSTRAINT node_template_cache_node_id_fkey FOREIGN KEY (node_id)
        REFERENCES render.nodes (id) ON DELETE CASCADE,
    CONSTRAINT node_template_cache_aep_checksum_check CHECK (aep_checksum ~ '^[0-9a-f]{64}$'),
    CONSTRAINT node_template_cache_size_bytes_check CHECK (size_bytes >= 0),
    CONSTRAINT node_template_cache_hit_count_check CHECK (hit_count >= 0)
);

-- LRU eviction: least recently used entries of one node first.
CREATE INDEX node_template_cache_node_id_last_used_at_idx
    ON render.node_template_cache (node_id, last_used_at);

COMMENT ON TABLE render.node_template_cache IS 'AEP files cached on each node''s local disk, evicted least-recently-used first (tenant-exempt).';
COMMENT ON COLUMN render.node_template_cache.template_id IS 'soft reference -> content.templates.id: template whose .aep file is cached';
COMMENT ON COLUMN render.node_template_cache.aep_checksum IS 'SHA-256 (hex) of the cached .aep file, compared with the current file to detect staleness.';
