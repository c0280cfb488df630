-- identity: gamification (gift catalogue, points, earned gifts).

CREATE TABLE identity.gifts (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id  uuid        NOT NULL,
    code       text        NOT NULL,
    title      text        NOT NULL,
    points     integer     NOT NULL,
    reward     jsonb       NOT NULL DEFAULT '{}',
    is_active  boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT gifts_pkey PRIMARY KEY (id),
    CONSTRAINT gifts_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT gifts_tenant_id_code_key UNIQUE (tenant_id, code),
    CONSTRAINT gifts_code_check CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    CONSTRAINT gifts_title_check CHECK (char_length(title) BETWEEN 1 AND 200),
    CONSTRAINT gifts_points_check CHECK (points >= 0),
    CONSTRAINT gifts_reward_check CHECK (jsonb_typeof(reward) = 'object')
);

COMMENT ON TABLE identity.gifts IS 'Gamification catalogue: gifts a user earns for reaching a number of points.';
COMMENT ON COLUMN identity.gifts.reward IS 'What the gift grants (e.g. free render minutes, premium template access), interpreted by the Identity Service.';


CREATE TABLE identity.points_ledger (
    id         bigint      GENERATED ALWAYS AS IDENTITY,
    tenant_id  uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    delta      integer     NOT NULL,
    reason     text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT points_ledger_pkey PRIMARY KEY (id),
    CONSTRAINT points_ledger_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT points_ledger_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES identity.users (id),
    CONSTRAINT points_ledger_delta_check CHECK (delta <> 0),
    CONSTRAINT points_ledger_reason_check CHECK (char_length(reason) BETWEEN 1 AND 200)
);

CREATE INDEX points_ledger_tenant_id_idx ON identity.points_ledger (tenant_id);
CREATE INDEX points_ledger_user_id_created_at_idx ON identity.points_ledger (user_id, created_at);

COMMENT ON TABLE identity.points_ledger IS 'Append-only ledger of gamification points; a user''s balance is the sum of delta.';


CREATE TABLE identity.earned_gifts (
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id       uuid        NOT NULL,
    user_id         uuid        NOT NULL,
    gift_id         uuid        NOT NULL,
    earned_at       timestamptz NOT NULL DEFAULT now(),
    notification_id uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT earned_gifts_pkey PRIMARY KEY (id),
    CONSTRAINT earned_gifts_tenant_id_fkey FOREIGN KEY (tenant_id)
        REFERENCES identity.tenants (id),
    CONSTRAINT earned_gifts_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES identity.users (id),
    CONSTRAINT earned_gifts_gift_id_fkey FOREIGN KEY (gift_id)
        REFERENCES identity.gifts (id),
    -- The one intentional cross-schema foreign key (declared in service.yaml cross_schema_fks).
    CONSTRAINT earned_gifts_notification_id_fkey FOREIGN KEY (notification_id)
        REFERENCES notification.notifications (id) ON DELETE SET NULL
);

CREATE INDEX earned_gifts_tenant_id_idx ON identity.earned_gifts (tenant_id);
CREATE INDEX earned_gifts_user_id_idx ON identity.earned_gifts (user_id);
CREATE INDEX earned_gifts_gift_id_idx ON identity.earned_gifts (gift_id);
CREATE INDEX earned_gifts_notification_id_idx ON identity.earned_gifts (notification_id);

COMMENT ON TABLE identity.earned_gifts IS 'Gifts a user has earned, linked to the in-app notification that announced it.';
COMMENT ON COLUMN identity.earned_gifts.notification_id IS 'Hard cross-schema FK -> notification.notifications.id (the single allowed exception); NULL once the notification is purged.';
