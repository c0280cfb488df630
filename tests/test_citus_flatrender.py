"""Issue 20, acceptance 2: FlatRender from empty onto a real Citus cluster (a coordinator and two
workers), planned and applied through the library like a deployment would.

FlatRender as written cannot be distributed by tenant_id (its keys are `id` alone: `schema lint`
with Citus enabled reports them); the cluster gets FlatRender made Citus-ready by
tests/citus/citus_ready.py, which rewrites exactly what the CT rules report. One database goes
through two deployments: from empty, then a new column on a distributed table while the
coordinator has drifted and ops have created a partition of a distributed partitioned table.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from citus_support import CitusCluster

from flatrender_schema import catalog
from flatrender_schema.apply import apply_plan
from flatrender_schema.citus import distribute
from flatrender_schema.citus.declared import declared_for
from flatrender_schema.desired import load_desired
from flatrender_schema.engine import get_engine
from flatrender_schema.lint import LintOptions, run_lint
from flatrender_schema.plan import Plan
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import DevServer

sys.path.insert(0, str(Path(__file__).parent / "citus"))
from citus_ready import make_citus_ready

TODAY = dt.date(2026, 11, 25)
SCHEMA = Path(__file__).resolve().parents[1] / "schema"
SERVICES = {"identity": "identity_svc", "content": "content_svc", "studio": "studio_svc",
            "render": "render_svc", "file_mgr": "file_svc", "notification": "notification_svc"}
READS = {("notification_svc", "identity.users"), ("notification_svc", "identity.subscriptions")}
OPS_PARTITION = "identity.tenant_api_request_logs_2031_01"


def _plan(live: psycopg.Connection, schema: Path, dev: DevServer) -> Plan:
    # --reuse-shadow: a second plan of the same files reuses the shadow kept on the dev server.
    return build_plan(live, load_desired(schema), dev, get_engine(), PlanOptions(TODAY, reuse_shadow=True))


def _declared(schema: Path) -> tuple[list[dict], list[dict]]:
    declared = declared_for(load_desired(schema))
    assert declared is not None
    tables, groups = distribute.declared_rows(declared)
    return sorted(tables, key=lambda r: (r["schema"], r["name"])), groups


def _distribution(conn: psycopg.Connection) -> tuple[list[dict], list[dict]]:
    snap = catalog.read_snapshot(conn)
    return list(snap.rows("citus_tables")), list(snap.rows("citus_colocation"))


def _shards(live: psycopg.Connection, table: str) -> dict[str, list[str]]:
    """Shard relations of `table` (schema-qualified) by node name (socket directory)."""
    rows = live.execute(
        "select nodename, shard_name from citus_shards where table_name = %s::regclass order by 2", [table]
    ).fetchall()
    out: dict[str, list[str]] = {}
    for node, shard in rows:
        out.setdefault(node, []).append(shard)
    return out


def _on_worker(cluster: CitusCluster, index: int, url: str) -> psycopg.Connection:
    conn = psycopg.connect(cluster.worker_url(index, url), autocommit=True)
    conn.execute("set citus.override_table_visibility = off")  # shards are hidden from clients by default
    return conn


@pytest.fixture(scope="module")
def deployed(citus_cluster: CitusCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("citus_flatrender")
    first = make_citus_ready(SCHEMA, root / "first")
    then = make_citus_ready(SCHEMA, root / "then")
    users = then / "identity" / "users.sql"
    text = users.read_text().replace("CREATE TABLE identity.users (", "CREATE TABLE identity.users (nickname text, ", 1)
    users.write_text(text)
    with citus_cluster.database("flatrender") as url, psycopg.connect(url, autocommit=True) as live, \
            DevServer(citus_cluster.dev.url()) as dev:  # type: ignore[union-attr]
        plan = _plan(live, first, dev)
        apply_plan(live, plan)
        state = {"url": url, "first": first, "then": then, "first_plan": plan,
                 "first_replan": _plan(live, first, dev), "first_distribution": _distribution(live)}
        # Ops create next year's partition; someone drops a default on the coordinator (drift).
        live.execute(f"create table {OPS_PARTITION} partition of identity.tenant_api_request_logs "
                     "for values from ('2031-01-01') to ('2031-02-01')")
        live.execute("alter table identity.users alter column locale drop default")
        plan = _plan(live, then, dev)
        apply_plan(live, plan)
        state.update(then_plan=plan, then_replan=_plan(live, then, dev), then_distribution=_distribution(live))
        yield state


def test_citus_ready_flatrender_is_clean_for_the_citus_rules(tmp_path: Path) -> None:
    ready = make_citus_ready(SCHEMA, tmp_path / "schema")
    report = run_lint(ready, options=LintOptions(select=frozenset({"CT", "SQ"})))
    assert report.clean, "\n".join(str(f) for f in report.findings)
    # ... while FlatRender as written is not distributable (what citus_ready rewrites).
    plain = tmp_path / "plain"
    shutil.copytree(SCHEMA, plain)
    (plain / "schema.yaml").write_text((plain / "schema.yaml").read_text() + "citus:\n  enabled: true\n")
    codes = {f.code for f in run_lint(plain, options=LintOptions(select=frozenset({"CT"}))).findings}
    assert {"CT101", "CT102"} <= codes


def test_from_empty_plan_apply_plan_again_empty(deployed: dict) -> None:
    plan = deployed["first_plan"]
    citus = [s.sql for s in plan.steps if s.source == "citus_distribution"]
    assert any("create_reference_table" in s and "render" in s and "nodes" in s for s in citus)
    assert deployed["first_replan"].empty, [s.sql for s in deployed["first_replan"].steps]


def test_distribution_equals_the_declared_one(deployed: dict) -> None:
    assert deployed["first_distribution"] == _declared(deployed["first"])
    assert deployed["then_distribution"] == _declared(deployed["then"])
    _, groups = deployed["first_distribution"]
    assert len(groups) == 1 and len(groups[0]["members"]) >= 50  # every tenant table in one group


def test_new_column_reaches_the_shards_on_both_workers(deployed: dict, citus_cluster: CitusCluster) -> None:
    assert any('add column "nickname"' in s.sql for s in deployed["then_plan"].steps)
    assert deployed["then_replan"].empty, [s.sql for s in deployed["then_replan"].steps]
    with psycopg.connect(deployed["url"], autocommit=True) as live:
        shards = _shards(live, "identity.users")
    for index, worker in enumerate(citus_cluster.workers):
        names = shards.get(str(worker.socket_dir), [])
        assert names, f"worker {index} holds no shard of identity.users"
        with _on_worker(citus_cluster, index, deployed["url"]) as conn:
            for shard in names:
                got = conn.execute("select count(*) from pg_attribute where attrelid = %s::regclass "
                                   "and attname = 'nickname' and not attisdropped", [shard]).fetchone()
                assert got == (1,), f"{shard} on worker {index} lacks the new column"


def test_drift_on_the_coordinator_is_repaired_on_the_shards(deployed: dict, citus_cluster: CitusCluster) -> None:
    assert any("locale" in s.sql and "set default" in s.sql.lower() for s in deployed["then_plan"].steps)
    with psycopg.connect(deployed["url"], autocommit=True) as live:
        shards = _shards(live, "identity.users")
    for index, worker in enumerate(citus_cluster.workers):
        with _on_worker(citus_cluster, index, deployed["url"]) as conn:
            for shard in shards[str(worker.socket_dir)]:
                default = conn.execute(
                    "select pg_get_expr(d.adbin, d.adrelid) from pg_attrdef d join pg_attribute a "
                    "on a.attrelid = d.adrelid and a.attnum = d.adnum where d.adrelid = %s::regclass "
                    "and a.attname = 'locale'", [shard]).fetchone()
                assert default is not None and "fa-IR" in default[0]


def test_ops_partition_of_a_distributed_partitioned_table_survives(deployed: dict) -> None:
    assert not any(OPS_PARTITION.split(".")[1] in s.sql for s in deployed["then_plan"].steps)
    with psycopg.connect(deployed["url"], autocommit=True) as live:
        row = live.execute("select partmethod from pg_dist_partition where logicalrelid = %s::regclass",
                           [OPS_PARTITION]).fetchone()
    assert row == ("h",)  # still there, and distributed with its parent


def test_role_matrix_holds_on_the_workers_shards(deployed: dict, citus_cluster: CitusCluster) -> None:
    with psycopg.connect(deployed["url"], autocommit=True) as live:
        probes = {schema: live.execute(
            "select n.nspname || '.' || c.relname from pg_dist_partition p join pg_class c on c.oid = p.logicalrelid "
            "join pg_namespace n on n.oid = c.relnamespace where n.nspname = %s and p.partmethod = 'h' "
            "and not c.relispartition order by 1 limit 1", [schema]).fetchone()[0] for schema in SERVICES}
        probes["identity.users"] = "identity.users"
        shards = {table: _shards(live, table) for table in probes.values()}
    checked = 0
    for index, worker in enumerate(citus_cluster.workers):
        with _on_worker(citus_cluster, index, deployed["url"]) as conn:
            for table, by_node in shards.items():
                for shard in by_node.get(str(worker.socket_dir), [])[:1]:
                    schema = table.split(".")[0]
                    qualified = shard  # citus_shards names it schema-qualified
                    for role in SERVICES.values():
                        own = SERVICES[schema] == role
                        reads = (role, table) in READS
                        can = conn.execute("select has_table_privilege(%s, %s, 'SELECT'), "
                                           "has_table_privilege(%s, %s, 'DELETE')",
                                           [role, qualified, role, qualified]).fetchone()
                        assert can == (own or reads, own), f"{role} on {qualified} (worker {index}): {can}"
                        checked += 1
    assert checked >= len(SERVICES) * 6
