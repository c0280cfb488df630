"""Issue 9, acceptance 1: apply as the owner role after a one-time bootstrap; plan as a read-only role."""

from __future__ import annotations

import contextlib

import psycopg
from conftest import SCHEMA_DIR, Databases, run_cli
from psycopg import conninfo, sql


def _as(url: str, user: str) -> str:
    parts = conninfo.conninfo_to_dict(url)
    parts["user"] = user
    return conninfo.make_conninfo(**parts)  # type: ignore[arg-type]


def test_apply_as_owner_and_plan_read_only(dbs: Databases, server_url: str) -> None:
    url = dbs.create("leastpriv")
    admin = dbs.connect(url)
    pre_existing = {r[0] for r in admin.execute("select rolname from pg_roles")}
    try:
        r = run_cli("bootstrap", "--execute", "--schema-dir", str(SCHEMA_DIR), "--database-url", url)
        assert r.returncode == 0, r.stdout + r.stderr
        admin.execute("alter role flatrender_owner login")  # the deploy pipeline's part
        admin.execute("drop role if exists planner_ro")
        admin.execute("create role planner_ro login")  # CONNECT comes from PUBLIC; catalogs are readable
        owner = admin.execute("select rolsuper, rolcreaterole, rolcreatedb from pg_roles "
                              "where rolname = 'flatrender_owner'").fetchone()
        assert owner == (False, False, False)

        r = run_cli("apply", "--yes", "--now", "2026-11-25", "--schema-dir", str(SCHEMA_DIR),
                    "--database-url", _as(url, "flatrender_owner"), "--dev-url", server_url)
        assert r.returncode == 0, r.stdout + r.stderr
        who = admin.execute("select session_user_name, outcome from flatrender_schema.apply_history").fetchall()
        assert who == [("flatrender_owner", "applied")]
        not_owned = admin.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = "
            "'identity' and pg_get_userbyid(c.relowner) <> 'flatrender_owner'").fetchall()
        assert not_owned == []

        r = run_cli("plan", "--now", "2026-11-25", "--schema-dir", str(SCHEMA_DIR),
                    "--database-url", _as(url, "planner_ro"), "--dev-url", server_url)
        assert r.returncode == 0, r.stdout + r.stderr
        assert r.stdout.startswith("No changes.")
        # The read-only role really cannot write.
        with psycopg.connect(_as(url, "planner_ro")) as ro:
            try:
                ro.execute("create table public.nope (id int)")
            except psycopg.errors.InsufficientPrivilege:
                pass
            else:
                raise AssertionError("planner_ro could create a table")
    finally:
        admin.close()
        created = {r[0] for r in dbs.admin.execute("select rolname from pg_roles")} - pre_existing
        dbs.close_one(url)
        for role in sorted(created):
            with contextlib.suppress(psycopg.Error):
                dbs.admin.execute(sql.SQL("drop owned by {} cascade").format(sql.Identifier(role)))
                dbs.admin.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))
