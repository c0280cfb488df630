-- notification: marketing campaigns and the per-recipient delivery log.

CREATE TABLE notification.campaigns (
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id        uuid        NOT NULL,
    name             text        NOT NULL,
    channel          text        NOT NULL,
    audience         text        NOT NULL,
    audience_plan_id uuid,
    template_id      uuid,
    subject          text,
    body             text,
    status           text        NOT NULL DEFAULT 'draft',
    sent_count       integer     NOT NULL DEFAULT 0,
    failed_count     integer     NOT NULL DEFAULT 0,
    created_by       uuid,
    sent_at          timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT campaigns_pkey PRIMARY KEY (id),
    CONSTRAINT campaigns_template_id_fkey FOREIGN KEY (template_id)
        REFERENCES notification.message_templates (id) ON DELETE SET NULL,
    CONSTRAINT campaigns_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT campaigns_channel_check CHECK (channel IN ('sms', 'email')),
    CONSTRAINT campaigns_audience_check CHECK (audience IN ('all', 'verified', 'with_plan')),
    CONSTRAINT campaigns_audience_plan_id_check
        CHECK ((audience = 'with_plan') = (audience_plan_id IS NOT NULL)),
    CONSTRAINT campaigns_body_check CHECK (template_id IS NOT NULL OR body IS NOT NULL),
    CONSTRAINT campaigns_status_check CHECK (status IN ('draft', 'sending', 'sent', 'failed')),
    CONSTRAINT campaigns_sent_count_check CHECK (sent_count >= 0),
    CONSTRAINT campaigns_failed_count_check CHECK (failed_count >= 0)
);

CREATE INDEX campaigns_tenant_id_created_at_idx ON notification.campaigns (tenant_id, created_at);
CREATE INDEX campaigns_template_id_idx ON notification.campaigns (template_id);

COMMENT ON TABLE notification.campaigns IS 'Marketing campaigns sent by SMS or e-mail to an audience resolved from identity.users / identity.subscriptions.';
COMMENT ON COLUMN notification.campaigns.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN notification.campaigns.audience_plan_id IS 'soft reference -> identity.plans.id: plan whose subscribers form the audience; set exactly when audience = with_plan';
COMMENT ON COLUMN notification.campaigns.created_by IS 'soft reference -> identity.users.id: admin who created the campaign';
COMMENT ON COLUMN notification.campaigns.template_id IS 'Message template to render; when NULL, subject and body are used as is.';


CREATE TABLE notification.deliveries (
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id       uuid        NOT NULL,
    notification_id uuid,
    campaign_id     uuid,
    user_id         uuid,
    channel         text        NOT NULL,
    recipient       text        NOT NULL,
    status          text        NOT NULL DEFAULT 'queued',
    provider_ref    text,
    error           text,
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT deliveries_pkey PRIMARY KEY (id),
    CONSTRAINT deliveries_notification_id_fkey FOREIGN KEY (notification_id)
        REFERENCES notification.notifications (id) ON DELETE SET NULL,
    CONSTRAINT deliveries_campaign_id_fkey FOREIGN KEY (campaign_id)
        REFERENCES notification.campaigns (id) ON DELETE SET NULL,
    CONSTRAINT deliveries_channel_check CHECK (channel IN ('push', 'email', 'sms', 'telegram')),
    CONSTRAINT deliveries_recipient_check CHECK (char_length(recipient) BETWEEN 1 AND 2048),
    CONSTRAINT deliveries_status_check CHECK (status IN ('queued', 'sent', 'delivered', 'failed'))
);

CREATE INDEX deliveries_tenant_id_created_at_idx ON notification.deliveries (tenant_id, created_at);
CREATE INDEX deliveries_notification_id_idx ON notification.deliveries (notification_id);
CREATE INDEX deliveries_campaign_id_idx ON notification.deliveries (campaign_id);
CREATE INDEX deliveries_user_id_idx ON notification.deliveries (user_id);
CREATE INDEX deliveries_provider_ref_idx ON notification.deliveries (provider_ref);

COMMENT ON TABLE notification.deliveries IS 'Per-recipient delivery log of push, e-mail, SMS and Telegram messages (from notifications or campaigns).';
COMMENT ON COLUMN notification.deliveries.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN notification.deliveries.user_id IS 'soft reference -> identity.users.id: recipient user, when the recipient is a known user';
COMMENT ON COLUMN notification.deliveries.recipient IS 'Address used: e-mail, E.164 phone, Telegram chat id or push endpoint.';
COMMENT ON COLUMN notification.deliveries.provider_ref IS 'Message id returned by the SMS/e-mail/push provider, used to match delivery reports.';
