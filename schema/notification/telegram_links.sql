-- notification: Telegram chats linked to users.

CREATE TABLE notification.telegram_links (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id  uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    chat_id    bigint      NOT NULL,
    username   text,
    linked_at  timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT telegram_links_pkey PRIMARY KEY (id),
    CONSTRAINT telegram_links_chat_id_key UNIQUE (chat_id),
    CONSTRAINT telegram_links_username_check CHECK (char_length(username) <= 64)
);

CREATE INDEX telegram_links_tenant_id_idx ON notification.telegram_links (tenant_id);
CREATE INDEX telegram_links_user_id_idx ON notification.telegram_links (user_id);

COMMENT ON TABLE notification.telegram_links IS 'Telegram bot chats linked to users, for Telegram notifications.';
COMMENT ON COLUMN notification.telegram_links.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN notification.telegram_links.user_id IS 'soft reference -> identity.users.id: user the chat is linked to';
COMMENT ON COLUMN notification.telegram_links.chat_id IS 'Telegram chat id (64-bit).';
