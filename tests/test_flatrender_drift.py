"""Issue 6, acceptance 3: FlatRender drift the gap layer must repair, and what it must leave alone."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import psycopg
import pytest
from conftest import SCHEMA_DIR, Databases

from flatrender_schema.apply import ApplyOptions, apply_plan
from flatrender_schema.desired import load_desired
from flatrender_schema.engine import get_engine
from flatrender_schema.plan import Plan
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import DevServer

JAN = dt.date(2026, 1, 10)  # partitions planned: 2026-01 .. 2026-04


def _plan(conn: psycopg.Connection, dev: DevServer, schema_dir: Path = SCHEMA_DIR, today: dt.date = JAN) -> Plan:
    return build_plan(conn, load_desired(schema_dir), dev, get_engine(), PlanOptions(today))


@pytest.fixture
def live(dbs: Databases, dev: DevServer) -> psycopg.Connection:
    conn = dbs.connect(dbs.create("drift"))
    apply_plan(conn, _plan(conn, dev))
    assert _plan(conn, dev).empty
    return conn


def test_ops_created_partition_survives(live: psycopg.Connection, dev: DevServer) -> None:
    live.execute(
        "create table identity.tenant_api_request_logs_2026_09 partition of identity.tenant_api_request_logs "
        "for values from ('2026-09-01 00:00:00+00') to ('2026-10-01 00:00:00+00')"
    )
    live.execute(
        "insert into identity.tenant_api_request_logs (tenant_id, method, path, status, latency_ms, requested_at) "
        "values ('00000000-0000-0000-0000-000000000001', 'GET', '/v1/x', 200, 12, '2026-09-15')"
    )
    plan = _plan(live, dev)
    assert plan.empty, [s.sql for s in plan.steps]
    later = _plan(live, dev, today=dt.date(2026, 8, 20))  # the policy now wants 2026-08 .. 2026-11
    assert not any("drop" in s.sql.lower() for s in later.steps)
    assert any("tenant_api_request_logs_2026_11" in s.sql for s in later.steps)
    apply_plan(live, later)
    assert live.execute("select count(*) from identity.tenant_api_request_logs_2026_09").fetchone() == (1,)


def test_revoked_usage_is_repaired(live: psycopg.Connection, dev: DevServer) -> None:
    live.execute("revoke usage on schema studio from studio_svc")
    plan = _plan(live, dev)
    assert [s.sql for s in plan.steps] == ['grant usage on schema "studio" to "studio_svc";']
    apply_plan(live, plan)
    assert live.execute("select has_schema_privilege('studio_svc', 'studio', 'USAGE')").fetchone() == (True,)


def test_removed_default_privilege_is_restored(live: psycopg.Connection, dev: DevServer) -> None:
    live.execute(
        "alter default privileges for role flatrender_owner in schema render revoke insert on tables from render_svc"
    )
    plan = _plan(live, dev)
    assert [s.sql for s in plan.steps] == [
        'alter default privileges for role "flatrender_owner" in schema "render" grant insert on tables to '
        '"render_svc";'
    ]
    apply_plan(live, plan)
    assert _plan(live, dev).empty


def test_changed_comment_is_restored(live: psycopg.Connection, dev: DevServer) -> None:
    before = live.execute(
        "select col_description('content.templates'::regclass, "
        "(select attnum from pg_attribute where attrelid = 'content.templates'::regclass "
        "and attname = 'aep_file_id'))"
    ).fetchone()
    live.execute("comment on column content.templates.aep_file_id is 'whatever'")
    live.execute("comment on table notification.campaigns is null")
    plan = _plan(live, dev)
    assert len(plan.steps) == 2, [s.sql for s in plan.steps]
    apply_plan(live, plan)
    after = live.execute(
        "select col_description('content.templates'::regclass, "
        "(select attnum from pg_attribute where attrelid = 'content.templates'::regclass "
        "and attname = 'aep_file_id'))"
    ).fetchone()
    assert after == before
    assert _plan(live, dev).empty


def test_declared_column_rename_keeps_rows(live: psycopg.Connection, dev: DevServer, tmp_path: Path) -> None:
    live.execute("insert into render.nodes (hostname, gpu_model) values ('n1', 'RTX 4090'), ('n2', 'A6000')")
    schema_dir = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema_dir)
    nodes_sql = next(p for p in (schema_dir / "render").glob("*.sql") if "CREATE TABLE render.nodes" in p.read_text())
    text = nodes_sql.read_text()
    nodes_sql.write_text(text.replace("gpu_model", "gpu_name"))
    project = schema_dir / "schema.yaml"
    project.write_text(
        project.read_text().replace("renames: []", "renames:\n  - column: render.nodes.gpu_model\n    to: gpu_name")
    )
    plan = _plan(live, dev, schema_dir)
    sqls = [s.sql for s in plan.steps]
    assert sqls[0] == 'alter table "render"."nodes" rename column "gpu_model" to "gpu_name";', sqls
    assert not plan.data_loss, sqls
    apply_plan(live, plan)
    rows = live.execute("select hostname, gpu_name from render.nodes order by 1").fetchall()
    assert rows == [("n1", "RTX 4090"), ("n2", "A6000")]
    assert _plan(live, dev, schema_dir).empty


def test_undeclared_column_rename_is_a_refused_data_loss(
    live: psycopg.Connection, dev: DevServer, tmp_path: Path
) -> None:
    schema_dir = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema_dir)
    nodes_sql = next(p for p in (schema_dir / "render").glob("*.sql") if "CREATE TABLE render.nodes" in p.read_text())
    nodes_sql.write_text(nodes_sql.read_text().replace("gpu_model", "gpu_name"))
    plan = _plan(live, dev, schema_dir)
    assert "DELETES_DATA" in plan.data_loss
    from flatrender_schema.errors import ApplyError

    with pytest.raises(ApplyError, match="DELETES_DATA"):
        apply_plan(live, plan, ApplyOptions())
    assert live.execute(
        "select count(*) from information_schema.columns where table_schema = 'render' "
        "and table_name = 'nodes' and column_name = 'gpu_model'"
    ).fetchone() == (1,)
