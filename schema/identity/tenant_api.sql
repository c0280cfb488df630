-- identity: reseller API access, webhooks and usage metering.

CREATE TABLE identity.tenant_api_keys (
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id    uuid        NOT NULL,
    name         text        NOT NULL,
    key_prefix   text        NOT NULL,
    key_hash     text        NOT NULL,
    scopes       text[]      NOT NULL DEFAULT '{}',
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenant_api_keys_pkey PRIMARY KEY (id),
    CONSTRAINT tenant_api_keys_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT tenant_api_keys_key_hash_key UNIQUE (key_hash),
    CONSTRAINT tenant_api_keys_name_check CHECK (char_length(name) BETWEEN 1 AND 100),
    CONSTRAINT tenant_api_keys_key_prefix_check CHECK (char_length(key_prefix) BETWEEN 4 AND 16)
);

CREATE INDEX tenant_api_keys_tenant_id_idx ON identity.tenant_api_keys (tenant_id);

COMMENT ON TABLE identity.tenant_api_keys IS 'Reseller API keys; only a hash of the secret is stored, the prefix identifies the key to humans.';
COMMENT ON COLUMN identity.tenant_api_keys.key_prefix IS 'First characters of the key, shown in the dashboard and logs.';


CREATE TABLE identity.tenant_webhooks (
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id        uuid        NOT NULL,
    url              text        NOT NULL,
    secret_hash      text        NOT NULL,
    events           text[]      NOT NULL DEFAULT '{}',
    is_active        boolean     NOT NULL DEFAULT true,
    failure_count    integer     NOT NULL DEFAULT 0,
    last_delivery_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenant_webhooks_pkey PRIMARY KEY (id),
    CONSTRAINT tenant_webhooks_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT tenant_webhooks_url_check CHECK (url ~ '^https://' AND char_length(url) <= 2048),
    CONSTRAINT tenant_webhooks_failure_count_check CHECK (failure_count >= 0)
);

CREATE INDEX tenant_webhooks_tenant_id_idx ON identity.tenant_webhooks (tenant_id);

COMMENT ON TABLE identity.tenant_webhooks IS 'Webhook endpoints a tenant subscribes to events with (render finished, payment, ...).';


CREATE TABLE identity.tenant_usage_daily (
    tenant_id      uuid        NOT NULL,
    day            date        NOT NULL,
    renders        integer     NOT NULL DEFAULT 0,
    render_seconds bigint      NOT NULL DEFAULT 0,
    storage_bytes  bigint      NOT NULL DEFAULT 0,
    api_requests   bigint      NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenant_usage_daily_pkey PRIMARY KEY (tenant_id, day),
    CONSTRAINT tenant_usage_daily_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT tenant_usage_daily_renders_check CHECK (renders >= 0),
    CONSTRAINT tenant_usage_daily_render_seconds_check CHECK (render_seconds >= 0),
    CONSTRAINT tenant_usage_daily_storage_bytes_check CHECK (storage_bytes >= 0),
    CONSTRAINT tenant_usage_daily_api_requests_check CHECK (api_requests >= 0)
);

COMMENT ON TABLE identity.tenant_usage_daily IS 'Metering: one row per tenant and day (UTC), the basis of reseller billing.';


CREATE TABLE identity.tenant_api_request_logs (
    id           bigint      GENERATED ALWAYS AS IDENTITY,
    tenant_id    uuid        NOT NULL,
    api_key_id   uuid,
    method       text        NOT NULL,
    path         text        NOT NULL,
    status       smallint    NOT NULL,
    latency_ms   integer     NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenant_api_request_logs_pkey PRIMARY KEY (id, requested_at),
    CONSTRAINT tenant_api_request_logs_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT tenant_api_request_logs_api_key_id_fkey FOREIGN KEY (api_key_id)
        REFERENCES identity.tenant_api_keys (id),
    CONSTRAINT tenant_api_request_logs_method_check
        CHECK (method IN ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS')),
    CONSTRAINT tenant_api_request_logs_path_check CHECK (char_length(path) <= 2048),
    CONSTRAINT tenant_api_request_logs_status_check CHECK (status BETWEEN 100 AND 599),
    CONSTRAINT tenant_api_request_logs_latency_ms_check CHECK (latency_ms >= 0)
) PARTITION BY RANGE (requested_at);

CREATE TABLE identity.tenant_api_request_logs_2026_01
    PARTITION OF identity.tenant_api_request_logs
    FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');

CREATE INDEX tenant_api_request_logs_tenant_id_requested_at_idx
    ON identity.tenant_api_request_logs (tenant_id, requested_at);
CREATE INDEX tenant_api_request_logs_api_key_id_idx
    ON identity.tenant_api_request_logs (api_key_id);

COMMENT ON TABLE identity.tenant_api_request_logs IS 'Reseller API request log, range-partitioned by month on requested_at (append-only).';
COMMENT ON COLUMN identity.tenant_api_request_logs.api_key_id IS 'Key the request authenticated with; NULL when authentication failed.';
COMMENT ON COLUMN identity.tenant_api_request_logs.status IS 'HTTP status code returned.';
