-- notification: in-app inbox and per-user channel preferences.

CREATE TABLE notification.notifications (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id  uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    kind       text        NOT NULL,
    title      text        NOT NULL,
    body       text,
    data       jsonb       NOT NULL DEFAULT '{}',
    read_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notifications_pkey PRIMARY KEY (id),
    CONSTRAINT notifications_kind_check CHECK (kind ~ '^[a-z][a-z0-9_.]{0,63}$'),
    CONSTRAINT notifications_title_check CHECK (char_length(title) BETWEEN 1 AND 300),
    CONSTRAINT notifications_data_check CHECK (jsonb_typeof(data) = 'object')
);

CREATE INDEX notifications_tenant_id_idx ON notification.notifications (tenant_id);
CREATE INDEX notifications_user_id_created_at_idx ON notification.notifications (user_id, created_at);
CREATE INDEX notifications_user_id_unread_idx ON notification.notifications (user_id) WHERE read_at IS NULL;

COMMENT ON TABLE notification.notifications IS 'In-app inbox: one row per notification shown to a user.';
COMMENT ON COLUMN notification.notifications.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN notification.notifications.user_id IS 'soft reference -> identity.users.id: recipient';
COMMENT ON COLUMN notification.notifications.kind IS 'Lower-case event kind, e.g. render.completed, gift.earned, payment.succeeded.';
COMMENT ON COLUMN notification.notifications.data IS 'Payload for the client (ids, deep link, ...).';


CREATE TABLE notification.notification_preferences (
    tenant_id  uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    channel    text        NOT NULL,
    category   text        NOT NULL,
    enabled    boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notification_preferences_pkey PRIMARY KEY (user_id, channel, category),
    CONSTRAINT notification_preferences_channel_check
        CHECK (channel IN ('in_app', 'push', 'email', 'sms', 'telegram')),
    CONSTRAINT notification_preferences_category_check CHECK (category ~ '^[a-z][a-z0-9_]{0,63}$')
);

CREATE INDEX notification_preferences_tenant_id_idx ON notification.notification_preferences (tenant_id);

COMMENT ON TABLE notification.notification_preferences IS 'Per-user, per-channel, per-category opt-in/opt-out; a missing row means the default (enabled).';
COMMENT ON COLUMN notification.notification_preferences.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN notification.notification_preferences.user_id IS 'soft reference -> identity.users.id: user the preference belongs to';
COMMENT ON COLUMN notification.notification_preferences.category IS 'Lower-case notification category, e.g. render, billing, marketing.';
