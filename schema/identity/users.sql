-- identity: users and everything that authenticates them.

CREATE TABLE identity.users (
    id                uuid          NOT NULL DEFAULT gen_random_uuid(),
    tenant_id         uuid          NOT NULL,
    email             public.citext,
    phone             text,
    password_hash     text,
    display_name      text,
    locale            text          NOT NULL DEFAULT 'fa-IR',
    role              text          NOT NULL DEFAULT 'user',
    status            text          NOT NULL DEFAULT 'active',
    email_verified_at timestamptz,
    phone_verified_at timestamptz,
    last_login_at     timestamptz,
    created_at        timestamptz   NOT NULL DEFAULT now(),
    updated_at        timestamptz   NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT users_tenant_id_email_key UNIQUE (tenant_id, email),
    CONSTRAINT users_tenant_id_phone_key UNIQUE (tenant_id, phone),
    CONSTRAINT users_email_check CHECK (char_length(email) <= 254 AND email LIKE '%_@_%'),
    CONSTRAINT users_phone_check CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    CONSTRAINT users_contact_check CHECK (email IS NOT NULL OR phone IS NOT NULL),
    CONSTRAINT users_display_name_check CHECK (char_length(display_name) <= 100),
    CONSTRAINT users_locale_check CHECK (locale ~ '^[a-z]{2}(-[A-Z]{2})?$'),
    CONSTRAINT users_role_check CHECK (role IN ('user', 'support', 'admin')),
    CONSTRAINT users_status_check CHECK (status IN ('active', 'suspended', 'deleted'))
);

COMMENT ON TABLE identity.users IS 'End users and staff of a tenant; soft-deleted via deleted_at.';
COMMENT ON COLUMN identity.users.phone IS 'E.164 phone number, e.g. +989121234567.';
COMMENT ON COLUMN identity.users.password_hash IS 'NULL for users who only sign in with OTP or OAuth.';


CREATE TABLE identity.user_sessions (
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id    uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    token_hash   text        NOT NULL,
    user_agent   text,
    ip           inet,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_sessions_pkey PRIMARY KEY (id),
    CONSTRAINT user_sessions_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT user_sessions_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES identity.users (id) ON DELETE CASCADE,
    CONSTRAINT user_sessions_token_hash_key UNIQUE (token_hash),
    CONSTRAINT user_sessions_user_agent_check CHECK (char_length(user_agent) <= 1024)
);

CREATE INDEX user_sessions_tenant_id_idx ON identity.user_sessions (tenant_id);
CREATE INDEX user_sessions_user_id_idx ON identity.user_sessions (user_id);
CREATE INDEX user_sessions_expires_at_idx ON identity.user_sessions (expires_at);

COMMENT ON TABLE identity.user_sessions IS 'Refresh-token sessions; only the token hash is stored.';


CREATE TABLE identity.oauth_accounts (
    id               uuid          NOT NULL DEFAULT gen_random_uuid(),
    tenant_id        uuid          NOT NULL,
    user_id          uuid          NOT NULL,
    provider         text          NOT NULL,
    provider_user_id text          NOT NULL,
    email            public.citext,
    created_at       timestamptz   NOT NULL DEFAULT now(),
    updated_at       timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT oauth_accounts_pkey PRIMARY KEY (id),
    CONSTRAINT oauth_accounts_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT oauth_accounts_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES identity.users (id) ON DELETE CASCADE,
    CONSTRAINT oauth_accounts_tenant_id_provider_provider_user_id_key
        UNIQUE (tenant_id, provider, provider_user_id),
    CONSTRAINT oauth_accounts_provider_check CHECK (provider ~ '^[a-z][a-z0-9_]{1,31}$')
);

CREATE INDEX oauth_accounts_user_id_idx ON identity.oauth_accounts (user_id);

COMMENT ON TABLE identity.oauth_accounts IS 'External identities (Google, Apple, ...) linked to a user.';
COMMENT ON COLUMN identity.oauth_accounts.provider IS 'Lower-case provider identifier, e.g. google, apple.';


CREATE TABLE identity.verification_codes (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id   uuid        NOT NULL,
    user_id     uuid,
    channel     text        NOT NULL,
    purpose     text        NOT NULL,
    destination text        NOT NULL,
    code_hash   text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    consumed_at timestamptz,
    attempts    smallint    NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT verification_codes_pkey PRIMARY KEY (id),
    CONSTRAINT verification_codes_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT verification_codes_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES identity.users (id) ON DELETE CASCADE,
    CONSTRAINT verification_codes_channel_check CHECK (channel IN ('email', 'sms')),
    CONSTRAINT verification_codes_purpose_check
        CHECK (purpose IN ('signup', 'login', 'verify_email', 'verify_phone', 'password_reset', 'mfa')),
    CONSTRAINT verification_codes_destination_check CHECK (char_length(destination) <= 254),
    CONSTRAINT verification_codes_attempts_check CHECK (attempts >= 0)
);

CREATE INDEX verification_codes_tenant_id_destination_purpose_idx
    ON identity.verification_codes (tenant_id, destination, purpose, created_at);
CREATE INDEX verification_codes_user_id_idx ON identity.verification_codes (user_id);
CREATE INDEX verification_codes_expires_at_idx ON identity.verification_codes (expires_at);

COMMENT ON TABLE identity.verification_codes IS 'One-time codes sent by e-mail or SMS (OTP login, address verification, password reset, MFA).';
COMMENT ON COLUMN identity.verification_codes.user_id IS 'NULL while the user does not exist yet (sign-up, first OTP login).';
COMMENT ON COLUMN identity.verification_codes.destination IS 'E-mail address or E.164 phone number the code was sent to.';


CREATE TABLE identity.mfa_factors (
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id    uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    kind         text        NOT NULL,
    secret       bytea,
    label        text,
    verified_at  timestamptz,
    last_used_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mfa_factors_pkey PRIMARY KEY (id),
    CONSTRAINT mfa_factors_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT mfa_factors_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES identity.users (id) ON DELETE CASCADE,
    CONSTRAINT mfa_factors_kind_check CHECK (kind IN ('totp', 'webauthn', 'sms')),
    CONSTRAINT mfa_factors_label_check CHECK (char_length(label) <= 100)
);

CREATE INDEX mfa_factors_tenant_id_idx ON identity.mfa_factors (tenant_id);
CREATE INDEX mfa_factors_user_id_idx ON identity.mfa_factors (user_id);

COMMENT ON TABLE identity.mfa_factors IS 'Second factors of a user: TOTP, WebAuthn credential or SMS.';
COMMENT ON COLUMN identity.mfa_factors.secret IS 'Factor secret (TOTP seed, WebAuthn credential), encrypted by the Identity Service before storage.';


CREATE TABLE identity.push_subscriptions (
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id    uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    endpoint     text        NOT NULL,
    p256dh       text        NOT NULL,
    auth         text        NOT NULL,
    user_agent   text,
    last_used_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT push_subscriptions_pkey PRIMARY KEY (id),
    CONSTRAINT push_subscriptions_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT push_subscriptions_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES identity.users (id) ON DELETE CASCADE,
    CONSTRAINT push_subscriptions_endpoint_key UNIQUE (endpoint),
    CONSTRAINT push_subscriptions_endpoint_check CHECK (endpoint ~ '^https://' AND char_length(endpoint) <= 2048),
    CONSTRAINT push_subscriptions_user_agent_check CHECK (char_length(user_agent) <= 1024)
);

CREATE INDEX push_subscriptions_tenant_id_idx ON identity.push_subscriptions (tenant_id);
CREATE INDEX push_subscriptions_user_id_idx ON identity.push_subscriptions (user_id);

COMMENT ON TABLE identity.push_subscriptions IS 'PWA Web Push subscriptions (endpoint and keys from the browser PushSubscription).';
