"""--reuse-shadow: the shadow database is kept on the dev server, keyed by the desired state."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import psycopg
from conftest import SCHEMA_DIR, TODAY, Databases
from psycopg import sql

from flatrender_schema.desired import load_desired
from flatrender_schema.engine import get_engine
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import SCRATCH_PREFIX, DevServer


def _cached(admin: psycopg.Connection) -> set[str]:
    rows = admin.execute("select datname from pg_database where datname like %s", [f"{SCRATCH_PREFIX}%cache%"])
    return {r[0] for r in rows}


def test_shadow_is_reused_and_rebuilt_when_the_files_change(dbs: Databases, server_url: str, tmp_path: Path) -> None:
    conn = dbs.connect(dbs.create("reuse"))
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    options = PlanOptions(TODAY, reuse_shadow=True)
    before = _cached(dbs.admin)
    try:
        with DevServer(server_url) as dev:
            first = build_plan(conn, load_desired(schema), dev, get_engine(), options)
        made = _cached(dbs.admin) - before
        assert len(made) == 1
        with DevServer(server_url) as dev:
            second = build_plan(conn, load_desired(schema), dev, get_engine(), options)
        assert _cached(dbs.admin) - before == made  # reused, not rebuilt
        # The roles the cached shadow grants to are kept too; here the dev server is the target's own
        # cluster, so the second plan finds them and plans no CREATE ROLE. Everything else is identical.
        assert second.steps == tuple(s for s in first.steps if s.source != "roles")
        (schema / "studio" / "zz_new.sql").write_text(
            "CREATE TABLE studio.notes (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);\n")
        with DevServer(server_url) as dev:
            third = build_plan(conn, load_desired(schema), dev, get_engine(), options)
        assert len(_cached(dbs.admin) - before) == 2
        assert any("studio" in s.sql and "notes" in s.sql for s in third.steps)
    finally:
        for name in _cached(dbs.admin) - before:
            with contextlib.suppress(psycopg.Error):
                dbs.admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))
