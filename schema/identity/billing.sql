-- identity: plans, subscriptions, payments and discount codes.

CREATE TABLE identity.plans (
    id                   uuid          NOT NULL DEFAULT gen_random_uuid(),
    tenant_id            uuid          NOT NULL,
    code                 text          NOT NULL,
    name                 text          NOT NULL,
    price                numeric(12,2) NOT NULL,
    currency             char(3)       NOT NULL,
    billing_interval     text          NOT NULL,
    render_minutes_quota integer,
    storage_quota_bytes  bigint,
    max_resolution       text          NOT NULL,
    has_watermark        boolean       NOT NULL DEFAULT false,
    is_active            boolean       NOT NULL DEFAULT true,
    created_at           timestamptz   NOT NULL DEFAULT now(),
    updated_at           timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT plans_pkey PRIMARY KEY (id),
    CONSTRAINT plans_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT plans_code_key UNIQUE (code),
    CONSTRAINT plans_code_check CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    CONSTRAINT plans_name_check CHECK (char_length(name) BETWEEN 1 AND 100),
    CONSTRAINT plans_price_check CHECK (price >= 0),
    CONSTRAINT plans_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT plans_billing_interval_check CHECK (billing_interval IN ('month', 'year')),
    CONSTRAINT plans_render_minutes_quota_check CHECK (render_minutes_quota >= 0),
    CONSTRAINT plans_storage_quota_bytes_check CHECK (storage_quota_bytes >= 0),
    CONSTRAINT plans_max_resolution_check
        CHECK (max_resolution IN ('480p', '720p', '1080p', '1440p', '2160p'))
);

CREATE INDEX plans_tenant_id_idx ON identity.plans (tenant_id);

COMMENT ON TABLE identity.plans IS 'Subscription plans: price, billing interval, render and storage quotas, output limits.';
COMMENT ON COLUMN identity.plans.currency IS 'ISO 4217 currency code.';
COMMENT ON COLUMN identity.plans.render_minutes_quota IS 'Render minutes per billing interval; NULL = unlimited.';
COMMENT ON COLUMN identity.plans.storage_quota_bytes IS 'File storage quota; NULL = unlimited.';
COMMENT ON COLUMN identity.plans.has_watermark IS 'Whether renders on this plan are watermarked.';


CREATE TABLE identity.subscriptions (
    id                   uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id            uuid        NOT NULL,
    user_id              uuid        NOT NULL,
    plan_id              uuid        NOT NULL,
    status               text        NOT NULL DEFAULT 'active',
    current_period_start timestamptz NOT NULL,
    current_period_end   timestamptz NOT NULL,
    cancel_at            timestamptz,
    canceled_at          timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT subscriptions_pkey PRIMARY KEY (id),
    CONSTRAINT subscriptions_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT subscriptions_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES identity.users (id),
    CONSTRAINT subscriptions_plan_id_fkey FOREIGN KEY (plan_id)
        REFERENCES identity.plans (id),
    CONSTRAINT subscriptions_status_check
        CHECK (status IN ('trialing', 'active', 'past_due', 'canceled', 'expired')),
    CONSTRAINT subscriptions_current_period_end_check CHECK (current_period_end > current_period_start)
);

CREATE INDEX subscriptions_tenant_id_idx ON identity.subscriptions (tenant_id);
CREATE INDEX subscriptions_user_id_idx ON identity.subscriptions (user_id);
CREATE INDEX subscriptions_plan_id_idx ON identity.subscriptions (plan_id);
CREATE INDEX subscriptions_current_period_end_idx ON identity.subscriptions (current_period_end);

COMMENT ON TABLE identity.subscriptions IS 'A user''s subscription to a plan and its current billing period.';
COMMENT ON COLUMN identity.subscriptions.cancel_at IS 'Scheduled end of the subscription (cancel at period end); NULL = renews.';


CREATE TABLE identity.discount_codes (
    id          uuid          NOT NULL DEFAULT gen_random_uuid(),
    tenant_id   uuid          NOT NULL,
    code        public.citext NOT NULL,
    percent_off smallint      NOT NULL,
    max_uses    integer,
    used_count  integer       NOT NULL DEFAULT 0,
    valid_until timestamptz,
    created_at  timestamptz   NOT NULL DEFAULT now(),
    updated_at  timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT discount_codes_pkey PRIMARY KEY (id),
    CONSTRAINT discount_codes_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT discount_codes_code_key UNIQUE (code),
    CONSTRAINT discount_codes_code_check CHECK (char_length(code) BETWEEN 3 AND 64),
    CONSTRAINT discount_codes_percent_off_check CHECK (percent_off BETWEEN 0 AND 100),
    CONSTRAINT discount_codes_max_uses_check CHECK (max_uses > 0),
    CONSTRAINT discount_codes_used_count_check
        CHECK (used_count >= 0 AND (max_uses IS NULL OR used_count <= max_uses))
);

CREATE INDEX discount_codes_tenant_id_idx ON identity.discount_codes (tenant_id);

COMMENT ON TABLE identity.discount_codes IS 'Percentage discount codes redeemable at checkout.';
COMMENT ON COLUMN identity.discount_codes.max_uses IS 'NULL = unlimited redemptions.';


CREATE TABLE identity.payments (
    id               uuid          NOT NULL DEFAULT gen_random_uuid(),
    tenant_id        uuid          NOT NULL,
    user_id          uuid          NOT NULL,
    subscription_id  uuid,
    discount_code_id uuid,
    amount           numeric(12,2) NOT NULL,
    currency         char(3)       NOT NULL,
    gateway          text          NOT NULL,
    gateway_ref      text,
    status           text          NOT NULL DEFAULT 'pending',
    paid_at          timestamptz,
    created_at       timestamptz   NOT NULL DEFAULT now(),
    updated_at       timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT payments_pkey PRIMARY KEY (id),
    CONSTRAINT payments_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT payments_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES identity.users (id),
    CONSTRAINT payments_subscription_id_fkey FOREIGN KEY (subscription_id)
        REFERENCES identity.subscriptions (id),
    CONSTRAINT payments_discount_code_id_fkey FOREIGN KEY (discount_code_id)
        REFERENCES identity.discount_codes (id),
    CONSTRAINT payments_gateway_ref_key UNIQUE (gateway_ref),
    CONSTRAINT payments_amount_check CHECK (amount >= 0),
    CONSTRAINT payments_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT payments_gateway_check CHECK (gateway ~ '^[a-z][a-z0-9_]{1,31}$'),
    CONSTRAINT payments_status_check
        CHECK (status IN ('pending', 'succeeded', 'failed', 'canceled', 'refunded')),
    CONSTRAINT payments_paid_at_check
        CHECK (status NOT IN ('succeeded', 'refunded') OR paid_at IS NOT NULL)
);

CREATE INDEX payments_tenant_id_idx ON identity.payments (tenant_id);
CREATE INDEX payments_user_id_idx ON identity.payments (user_id);
CREATE INDEX payments_subscription_id_idx ON identity.payments (subscription_id);
CREATE INDEX payments_discount_code_id_idx ON identity.payments (discount_code_id);

COMMENT ON TABLE identity.payments IS 'Payments made through a payment gateway, with the gateway''s reference.';
COMMENT ON COLUMN identity.payments.gateway IS 'Lower-case payment gateway identifier.';
COMMENT ON COLUMN identity.payments.gateway_ref IS 'Transaction reference returned by the gateway; NULL until the gateway answers.';
