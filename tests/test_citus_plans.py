"""Issue 20: plans and applies on a real Citus cluster (a coordinator and two workers).

Each case is a folder under tests/citus/cases: `schema/` (the desired state, planned from an empty
database), optionally `then/` (a second desired state planned after the first was applied), and
`expect.yaml`: the Citus steps of the (last) plan as regular expressions, in order; its hazard codes
(`allow`: refused without them, applied with them); `steps`: [phase, regex] pairs some step must
match; `single_subcommand`: every ALTER TABLE of the plan has one subcommand. Every case is
applied, a second plan must be empty and the distribution must equal the declared one.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pglast
import psycopg
import pytest
import yaml
from citus_support import CASES, CitusCluster
from pglast import ast

from flatrender_schema import catalog
from flatrender_schema.apply import ApplyError, ApplyOptions, apply_plan
from flatrender_schema.citus import distribute
from flatrender_schema.citus.declared import declared_for
from flatrender_schema.desired import load_desired
from flatrender_schema.engine import get_engine
from flatrender_schema.plan import Plan
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import DevServer

TODAY = dt.date(2026, 11, 25)


def plan_for(live: psycopg.Connection, schema: Path, dev: DevServer) -> Plan:
    return build_plan(live, load_desired(schema), dev, get_engine(), PlanOptions(TODAY))


def citus_steps(plan: Plan) -> list[str]:
    return [s.sql for s in plan.steps if s.source == "citus_distribution"]


def distribution(conn: psycopg.Connection) -> tuple[list[dict], list[dict]]:
    snap = catalog.read_snapshot(conn)
    return list(snap.rows("citus_tables")), list(snap.rows("citus_colocation"))


def declared(schema: Path) -> tuple[list[dict], list[dict]]:
    d = declared_for(load_desired(schema))
    assert d is not None
    tables, groups = distribute.declared_rows(d)
    key = lambda r: (r["schema"], r["name"])  # noqa: E731
    return sorted(tables, key=key), sorted(groups, key=key)


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if (p / "expect.yaml").exists()))
def test_case(case: str, citus_cluster: CitusCluster) -> None:
    folder = CASES / case
    expect = yaml.safe_load((folder / "expect.yaml").read_text())
    with citus_cluster.database(case) as url, psycopg.connect(url, autocommit=True) as live, \
            DevServer(citus_cluster.coordinator.url()) as dev:
        schemas = [folder / "schema", *([folder / "then"] if (folder / "then").exists() else [])]
        for schema in schemas[:-1]:
            apply_plan(live, plan_for(live, schema, dev))
        last = schemas[-1]
        plan = plan_for(live, last, dev)
        steps = citus_steps(plan)
        wanted = expect["citus_steps"]
        assert len(steps) == len(wanted), "\n".join(steps)
        for step, pattern in zip(steps, wanted, strict=True):
            assert re.search(pattern, step), f"{step!r} does not match {pattern!r}"
        assert sorted(plan.hazard_codes) == sorted(expect.get("hazards", []))
        for phase, pattern in expect.get("steps", []):
            assert any(s.phase == phase and re.search(pattern, s.sql, re.I) for s in plan.steps), \
                f"no {phase} step matches {pattern!r}:\n" + "\n".join(f"{s.phase} {s.sql}" for s in plan.steps)
        if expect.get("single_subcommand"):
            for s in plan.steps:
                node = pglast.parse_sql(s.sql)[0].stmt
                if isinstance(node, ast.AlterTableStmt):
                    assert len(node.cmds) == 1, f"more than one subcommand: {s.sql}"
        allowed = frozenset(expect.get("allow", []))
        if allowed:
            with pytest.raises(ApplyError, match="refusing to apply"):
                apply_plan(live, plan)
        apply_plan(live, plan, ApplyOptions(allow_hazards=allowed))
        assert plan_for(live, last, dev).empty
        assert distribution(live) == declared(last)


def test_judge_and_engine_never_see_shards(citus_cluster: CitusCluster) -> None:
    """Even a session Citus shows its shards to (visibility override off), the judge's snapshot and
    the engine's model hold the tables only. The single-node shadow database holds every shard
    itself; a Citus coordinator holds the reference tables' shards."""
    schema = CASES / "basic" / "schema"
    with citus_cluster.database("shards") as url, psycopg.connect(url, autocommit=True) as live, \
            DevServer(citus_cluster.coordinator.url()) as dev:
        apply_plan(live, plan_for(live, schema, dev))
        live.execute("set citus.override_table_visibility = off")
        shards = {r[0] for r in live.execute(
            "select c.relname || '_' || s.shardid from pg_dist_shard s join pg_class c on c.oid = s.logicalrelid")}
        visible = {r[0] for r in live.execute("select relname from pg_class where relname = any(%s)", [list(shards)])}
        assert visible, "no shard on the coordinator: the test would prove nothing"
        snap = catalog.read_snapshot(live)
        seen = {str(r.get(f)) for rows in snap.areas.values() for r in rows for f in ("name", "table")}
        assert not seen & shards
        inspection = get_engine().inspect(live)
        assert not any(name.strip('"').split('"."')[-1] in shards for name in inspection.tables)
        assert sorted(t for t in inspection.tables if t.startswith('"app".')) == [
            '"app"."countries"', '"app"."orders"', '"app"."tenants"', '"app"."users"']
