-- content: blog, CMS pages and FAQ.

CREATE TABLE content.blog_posts (
    id             uuid          NOT NULL DEFAULT gen_random_uuid(),
    tenant_id      uuid          NOT NULL,
    slug           public.citext NOT NULL,
    title          text          NOT NULL,
    body           text          NOT NULL,
    author_user_id uuid,
    status         text          NOT NULL DEFAULT 'draft',
    published_at   timestamptz,
    seo            jsonb         NOT NULL DEFAULT '{}',
    created_at     timestamptz   NOT NULL DEFAULT now(),
    updated_at     timestamptz   NOT NULL DEFAULT now(),
    deleted_at     timestamptz,
    CONSTRAINT blog_posts_pkey PRIMARY KEY (id),
    CONSTRAINT blog_posts_tenant_id_slug_key UNIQUE (tenant_id, slug),
    CONSTRAINT blog_posts_slug_check CHECK (char_length(slug) BETWEEN 1 AND 200),
    CONSTRAINT blog_posts_title_check CHECK (char_length(title) BETWEEN 1 AND 300),
    CONSTRAINT blog_posts_status_check CHECK (status IN ('draft', 'published', 'archived')),
    CONSTRAINT blog_posts_published_at_check CHECK (status <> 'published' OR published_at IS NOT NULL),
    CONSTRAINT blog_posts_seo_check CHECK (jsonb_typeof(seo) = 'object')
);

CREATE INDEX blog_posts_tenant_id_status_published_at_idx
    ON content.blog_posts (tenant_id, status, published_at) WHERE deleted_at IS NULL;
CREATE INDEX blog_posts_author_user_id_idx ON content.blog_posts (author_user_id);

COMMENT ON TABLE content.blog_posts IS 'Blog posts; soft-deleted via deleted_at.';
COMMENT ON COLUMN content.blog_posts.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
COMMENT ON COLUMN content.blog_posts.author_user_id IS 'soft reference -> identity.users.id: staff member who wrote the post';
COMMENT ON COLUMN content.blog_posts.seo IS 'SEO metadata (meta title, description, og:image, ...).';


CREATE TABLE content.cms_pages (
    id           uuid          NOT NULL DEFAULT gen_random_uuid(),
    tenant_id    uuid          NOT NULL,
    slug         public.citext NOT NULL,
    title        text          NOT NULL,
    body         text          NOT NULL,
    status       text          NOT NULL DEFAULT 'draft',
    published_at timestamptz,
    created_at   timestamptz   NOT NULL DEFAULT now(),
    updated_at   timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT cms_pages_pkey PRIMARY KEY (id),
    CONSTRAINT cms_pages_tenant_id_slug_key UNIQUE (tenant_id, slug),
    CONSTRAINT cms_pages_slug_check CHECK (char_length(slug) BETWEEN 1 AND 200),
    CONSTRAINT cms_pages_title_check CHECK (char_length(title) BETWEEN 1 AND 300),
    CONSTRAINT cms_pages_status_check CHECK (status IN ('draft', 'published', 'archived'))
);

COMMENT ON TABLE content.cms_pages IS 'Static CMS pages (about, terms, privacy, ...).';
COMMENT ON COLUMN content.cms_pages.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';


CREATE TABLE content.faqs (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    tenant_id  uuid        NOT NULL,
    question   text        NOT NULL,
    answer     text        NOT NULL,
    sort_order integer     NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT faqs_pkey PRIMARY KEY (id),
    CONSTRAINT faqs_question_check CHECK (char_length(question) BETWEEN 1 AND 1000)
);

CREATE INDEX faqs_tenant_id_sort_order_idx ON content.faqs (tenant_id, sort_order);

COMMENT ON TABLE content.faqs IS 'Frequently asked questions, in display order.';
COMMENT ON COLUMN content.faqs.tenant_id IS 'soft reference -> identity.tenants.id: owning tenant (no cross-schema FK)';
