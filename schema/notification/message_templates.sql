-- notification: localized message templates per channel.

CREATE TABLE notification.message_templates (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id  uuid        NOT NULL,
    channel    text        NOT NULL,
    code       text        NOT NULL,
    locale     text        NOT NULL,
    subject    text,
    body       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT message_templates_pkey PRIMARY KEY (id),
    CONSTRAINT message_templates_tenant_id_channel_code_locale_key UNIQUE (tenant_id, channel, code, locale),
    CONSTRAINT message_templates_channel_check
        CHECK (channel IN ('in_app', 'push', 'email', 'sms', 'telegram')),
    CONSTRAINT message_templates_code_check CHECK (code ~ '^[a-z][a-z0-9_.]{0,63}$'),
    CONSTRAINT message_templates_locale_check CHECK (locale ~ '^[a-z]{2}(-[A-Z]{2})?$'),
    CONSTRAINT message_templates_subject_check CHECK (channel <> 'email' OR subject IS NOT NULL)
);

COMMENT ON TABLE notification.message_templates IS 'Message templates by channel, code and locale, unique per tenant so resellers can override them.';
COMMENT ON COLUMN notification.message_templates.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN notification.message_templates.subject IS 'Subject line; required for e-mail.';
