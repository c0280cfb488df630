"""Type changes, storage and constraint validity, as data (issue 16):
tests/cases/{type_changes,storage,constraints}/<case>/{from.sql,to.sql,case.yaml}.

Each case plans from.sql -> to.sql (plain `--desired` SQL, so `-- @using` annotations in to.sql count)
on a real server and checks the exact set of hazard codes, the phases and what the SQL does and does
not contain; then applies (allowing the data-loss codes the plan has, after checking they are refused
without an allow), judges convergence by the catalog, and checks the rows: unchanged
(`rows_preserved`) or, after a type change, the values each query returns (`rows_after`).
tests/property/test_case_folders.py runs the same folders both ways, judged by pg_dump too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from conftest import TODAY, Databases

from flatrender_schema import catalog
from flatrender_schema.apply import ApplyOptions, apply_plan
from flatrender_schema.desired import load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.errors import ApplyError
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import DevServer
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

CASES_ROOT = Path(__file__).parent / "cases"
AREAS = ("type_changes", "storage", "constraints")
CASES = sorted(
    f"{area}/{p.name}" for area in AREAS for p in (CASES_ROOT / area).iterdir() if (p / "case.yaml").exists()
)

TABLES = """
    select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'm') and n.nspname not in ('pg_catalog', 'information_schema', 'flatrender_schema')
      and n.nspname !~ '^pg_' order by 1
"""


def _rows(conn: psycopg.Connection) -> dict[str, list[Any]]:
    out = {}
    for (table,) in conn.execute(TABLES).fetchall():
        out[table] = sorted(str(r) for r in conn.execute(f"select t::text from {table} t").fetchall())
    return out


def test_every_area_has_cases() -> None:
    assert {c.split("/")[0] for c in CASES} == set(AREAS)


@pytest.mark.parametrize("case", CASES)
def test_change_case(case: str, dbs: Databases, dev: DevServer) -> None:
    folder = CASES_ROOT / case
    spec = yaml.safe_load((folder / "case.yaml").read_text())
    a, b = dbs.connect(dbs.create("chg_a")), dbs.connect(dbs.create("chg_b"))
    a.execute((folder / "from.sql").read_bytes())
    b.execute((folder / "to.sql").read_bytes())
    plan = build_plan(a, load_plain([folder / "to.sql"]), dev, get_engine(), PlanOptions(TODAY))
    steps = [(s.phase, s.sql, s.hazard_codes) for s in plan.steps]
    assert plan.hazard_codes == set(spec["hazards"]), steps
    for phase, count in (spec.get("phases") or {}).items():
        assert sum(1 for s in plan.steps if s.phase == phase) == count, steps
    text = "\n".join(s.sql for s in plan.steps).upper()
    for needle in spec.get("sql_contains", []):
        assert needle.upper() in text, text
    for needle in spec.get("sql_lacks", []):
        assert needle.upper() not in text, text

    if plan.data_loss:
        with pytest.raises(ApplyError, match="data-loss"):
            apply_plan(a, plan)
    before = _rows(a)
    apply_plan(a, plan, ApplyOptions(frozenset(plan.data_loss)))
    diff = catalog.compare(catalog.read_snapshot(a, ALWAYS_EXCLUDED), catalog.read_snapshot(b, ALWAYS_EXCLUDED))
    assert not diff, diff
    if spec.get("rows_preserved"):
        after = _rows(a)
        assert {t: after.get(t) for t in before} == before
    for query, expected in (spec.get("rows_after") or {}).items():
        assert [list(r) for r in a.execute(query).fetchall()] == expected, query
