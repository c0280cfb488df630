"""Issue 4, acceptance 4: one row chain through every service, each insert as the owning service's role."""

from __future__ import annotations

import psycopg
from conftest import Databases
from psycopg import sql
from test_flatrender import DEFAULT_TENANT, converge

from flatrender_schema.scratch import DevServer

# (service role, statement); `%(name)s` placeholders are ids returned by earlier steps.
CHAIN: list[tuple[str, str, str]] = [
    ("tenant", "identity_svc",
     "insert into identity.tenants (slug, name, kind, parent_tenant_id) "
     "values ('acme', 'Acme Reseller', 'reseller', %(default_tenant)s) returning id"),
    ("user", "identity_svc",
     "insert into identity.users (tenant_id, email, display_name) values (%(tenant)s, 'ada@acme.example', 'Ada') "
     "returning id"),
    ("plan", "identity_svc",
     "insert into identity.plans (tenant_id, code, name, price, currency, billing_interval, max_resolution) "
     "values (%(tenant)s, 'pro', 'Pro', 9.90, 'EUR', 'month', '1080p') returning id"),
    ("subscription", "identity_svc",
     "insert into identity.subscriptions (tenant_id, user_id, plan_id, current_period_start, current_period_end) "
     "values (%(tenant)s, %(user)s, %(plan)s, now(), now() + interval '1 month') returning id"),
    ("payment", "identity_svc",
     "insert into identity.payments (tenant_id, user_id, amount, currency, gateway, status, paid_at) "
     "values (%(tenant)s, %(user)s, 9.90, 'EUR', 'stripe', 'succeeded', now()) returning id"),
    ("category", "content_svc",
     "insert into content.categories (tenant_id, slug, name) values (%(tenant)s, 'promo', 'Promo') returning id"),
    ("template", "content_svc",
     "insert into content.templates (tenant_id, category_id, slug, title, duration_ms, fps, width, height) "
     "values (%(tenant)s, %(category)s, 'intro', 'Intro', 15000, 30, 1920, 1080) returning id"),
    ("scene", "content_svc",
     "insert into content.scenes (tenant_id, template_id, position, name, duration_frames) "
     "values (%(tenant)s, %(template)s, 0, 'Opening', 150) returning id"),
    ("folder", "file_svc",
     "insert into file_mgr.folders (tenant_id, user_id, name) values (%(tenant)s, %(user)s, 'Voiceovers') "
     "returning id"),
    ("file", "file_svc",
     "insert into file_mgr.files (tenant_id, folder_id, name, mime_type, size_bytes, storage_key) "
     "values (%(tenant)s, %(folder)s, 'vo.mp3', 'audio/mpeg', 1024, 'acme/vo.mp3') returning id"),
    ("track", "studio_svc",
     "insert into studio.audio_tracks (tenant_id, kind, title, file_id, duration_ms) "
     "values (%(tenant)s, 'music', 'Theme', %(file)s, 30000) returning id"),
    ("project", "studio_svc",
     "insert into studio.saved_projects (tenant_id, user_id, template_id, title, music_track_id, music_volume, "
     "sfx_volume, voiceover_volume, voiceover_file_id, voiceover_text, voiceover_voice, voiceover_status) "
     "values (%(tenant)s, %(user)s, %(template)s, 'My intro', %(track)s, 0.8, 0.5, 1, %(file)s, 'Hello', "
     "'alloy', 'ready') returning id"),
    ("node", "render_svc",
     "insert into render.nodes (hostname) values ('render-01') returning id"),
    ("job", "render_svc",
     "insert into render.render_jobs (tenant_id, user_id, saved_project_id, template_id, resolution, fps, "
     "has_voiceover, node_id) values (%(tenant)s, %(user)s, %(project)s, %(template)s, '1080p', 30, true, "
     "%(node)s) returning id"),
    ("frames", "render_svc",
     "insert into render.frame_jobs (tenant_id, render_job_id, node_id, frame_start, frame_end) "
     "values (%(tenant)s, %(job)s, %(node)s, 0, 149) returning id"),
    ("repair", "render_svc",
     "insert into render.frame_repair_jobs (tenant_id, render_job_id, frame_job_id, reason) "
     "values (%(tenant)s, %(job)s, %(frames)s, 'black frames 10-12') returning id"),
    ("export", "render_svc",
     "insert into render.exports (tenant_id, render_job_id, format, resolution) "
     "values (%(tenant)s, %(job)s, 'mp4', '1080p') returning id"),
    ("notification", "notification_svc",
     "insert into notification.notifications (tenant_id, user_id, kind, title) "
     "values (%(tenant)s, %(user)s, 'render.done', 'Your video is ready') returning id"),
    ("preference", "notification_svc",
     "insert into notification.notification_preferences (tenant_id, user_id, channel, category) "
     "values (%(tenant)s, %(user)s, 'email', 'marketing') returning user_id"),
    ("message_template", "notification_svc",
     "insert into notification.message_templates (tenant_id, channel, code, locale, subject, body) "
     "values (%(tenant)s, 'email', 'promo.spring', 'en-US', 'Spring', 'Hi {{name}}') returning id"),
    ("audience", "notification_svc",
     # campaign audience resolution reads identity cross-schema, as granted by the manifest
     "select count(*) from identity.users u join identity.subscriptions s on s.user_id = u.id "
     "where u.tenant_id = %(tenant)s"),
    ("campaign", "notification_svc",
     "insert into notification.campaigns (tenant_id, name, channel, audience, audience_plan_id, template_id) "
     "values (%(tenant)s, 'Spring promo', 'email', 'with_plan', %(plan)s, %(message_template)s) returning id"),
    ("delivery", "notification_svc",
     "insert into notification.deliveries (tenant_id, notification_id, campaign_id, channel, recipient) "
     "values (%(tenant)s, %(notification)s, %(campaign)s, 'email', 'ada@acme.example') returning id"),
    ("gift", "identity_svc",
     "insert into identity.gifts (tenant_id, code, title, points) values (%(tenant)s, 'first-render', "
     "'First render', 10) returning id"),
    ("earned", "identity_svc",
     "insert into identity.earned_gifts (tenant_id, user_id, gift_id, notification_id) "
     "values (%(tenant)s, %(user)s, %(gift)s, %(notification)s) returning id"),
]


def test_row_chain_through_every_service(dbs: Databases, dev: DevServer) -> None:
    conn = dbs.connect(dbs.create("chain"))
    converge(conn, dev)
    ids: dict[str, object] = {"default_tenant": DEFAULT_TENANT}
    with conn.transaction():
        for name, role, statement in CHAIN:
            conn.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
            row = conn.execute(statement, ids).fetchone()
            assert row is not None, name
            ids[name] = row[0]
    assert ids["audience"] == 1
    counts = conn.execute(
        "select (select count(*) from identity.earned_gifts), (select count(*) from notification.deliveries), "
        "(select count(*) from render.exports)").fetchone()
    assert counts == (1, 1, 1)


def test_a_service_cannot_write_another_services_table(dbs: Databases, dev: DevServer) -> None:
    conn = dbs.connect(dbs.create("chain_refused"))
    converge(conn, dev)
    try:
        with conn.transaction():
            conn.execute("set local role studio_svc")
            conn.execute("insert into render.nodes (hostname) values ('sneaky')")
    except psycopg.errors.InsufficientPrivilege:
        return
    raise AssertionError("studio_svc wrote into render.nodes")
