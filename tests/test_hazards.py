"""Hazards and online forms, as data: tests/cases/hazards/<case>/{from.sql,to.sql,case.yaml}.

Each case plans from.sql -> to.sql on a real server and checks the exact set of hazard codes, the
phases and the SQL of the online forms; then applies (allowing everything), judges convergence by the
catalog, and, where the case says so, that every row survived (counts and checksums).
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import yaml
from conftest import TODAY, Databases

from flatrender_schema import catalog
from flatrender_schema.apply import ApplyOptions, apply_plan
from flatrender_schema.desired import load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.errors import ApplyError
from flatrender_schema.hazards import CATALOGUE, assess
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import DevServer
from flatrender_schema.step import Step
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

CASES_DIR = Path(__file__).parent / "cases" / "hazards"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "case.yaml").exists())

CHECKSUMS = """
    select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema', 'flatrender_schema')
      and n.nspname !~ '^pg_'
"""


def _rows(conn: psycopg.Connection) -> dict[str, tuple[int, str]]:
    out = {}
    for (table,) in conn.execute(CHECKSUMS).fetchall():
        schema, name = table.split(".")
        count, digest = conn.execute(
            f'select count(*), md5(coalesce(string_agg(t::text, \'|\' order by t::text), \'\')) '
            f'from "{schema}"."{name}" t').fetchone()
        out[table] = (count, digest)
    return out


@pytest.mark.parametrize("case", CASES)
def test_hazard_case(case: str, dbs: Databases, dev: DevServer) -> None:
    spec = yaml.safe_load((CASES_DIR / case / "case.yaml").read_text())
    a, b = dbs.connect(dbs.create("haz_a")), dbs.connect(dbs.create("haz_b"))
    a.execute((CASES_DIR / case / "from.sql").read_bytes())
    b.execute((CASES_DIR / case / "to.sql").read_bytes())
    plan = build_plan(a, load_plain([CASES_DIR / case / "to.sql"]), dev, get_engine(), PlanOptions(TODAY))
    assert plan.hazard_codes == set(spec["hazards"]), [(s.sql, s.hazard_codes) for s in plan.steps]
    for phase, count in (spec.get("phases") or {}).items():
        assert sum(1 for s in plan.steps if s.phase == phase) == count, [(s.phase, s.sql) for s in plan.steps]
    text = "\n".join(s.sql for s in plan.steps).upper()
    for needle in spec.get("sql_contains", []):
        assert needle.upper() in text, text

    if plan.data_loss:
        with pytest.raises(ApplyError, match="data-loss"):
            apply_plan(a, plan)  # refused without an allow; nothing ran
        assert catalog.read_snapshot(a, ALWAYS_EXCLUDED).fingerprint() == plan.live_fingerprint
    before = _rows(a)
    apply_plan(a, plan, ApplyOptions(frozenset(plan.data_loss)))
    diff = catalog.compare(catalog.read_snapshot(a, ALWAYS_EXCLUDED), catalog.read_snapshot(b, ALWAYS_EXCLUDED))
    assert not diff, diff
    if spec.get("rows_preserved"):
        assert _rows(a) == before


def test_every_hazard_code_has_a_case() -> None:
    covered = set()
    for case in CASES:
        covered |= set(yaml.safe_load((CASES_DIR / case / "case.yaml").read_text())["hazards"])
    # Citus's REDISTRIBUTES_DATA needs a Citus cluster: its cases are tests/citus/cases (test_citus_plans.py).
    for expect in (Path(__file__).parent / "citus" / "cases").glob("*/expect.yaml"):
        covered |= set(yaml.safe_load(expect.read_text()).get("hazards", []))
    assert covered == set(CATALOGUE)


# (statement, its title, its hazard codes) with public.t existing and public.t.a an integer.
ASSESSED = [
    ('drop table "public"."t";', "drop public.t", {"DELETES_DATA"}),
    ('alter table "public"."t" drop column "a";', "alter public.t", {"DELETES_DATA"}),
    ('alter table "public"."t" alter column "a" type smallint using "a"::smallint;', "alter public.t",
     {"LOSSY_TYPE_CHANGE", "TABLE_REWRITE"}),
    ('alter table "public"."t" alter column "a" type bigint;', "alter public.t", {"TABLE_REWRITE"}),
    ('alter table "public"."t" alter column "a" set not null;', "alter public.t", {"NOT_NULL_SCAN"}),
    ('alter table "public"."t" add constraint "c" check (a > 0);', "alter public.t", {"VALIDATION_SCAN"}),
    ('alter table "public"."t" add constraint "c" check (a > 0) not valid;', "alter public.t", set()),
    ('create index "i" on "public"."t" using btree ("a");', "create public.i", {"INDEX_BUILD"}),
    ('create index concurrently "i" on "public"."t" using btree ("a");', "create public.i", set()),
    ("-- a comment first\ndrop schema s;", "drop s", {"DROPS_SCHEMA"}),
    ('create table "public"."u" ("id" integer);', "create public.u", set()),
    ('grant select on table "public"."t" to "reader";', "grant public.t", set()),
    ("comment on table public.t is 'x';", "alter public.t", set()),
    ("select alter_distributed_table('public.t', shard_count := 8);", "alter public.t", {"REDISTRIBUTES_DATA"}),
    ("not sql at all", "alter", set()),
    ("", "alter", set()),
]


@pytest.mark.parametrize(("statement", "title", "codes"), ASSESSED)
def test_hazards_and_titles_are_read_from_the_steps_tree(statement: str, title: str, codes: set[str]) -> None:
    step = Step.parse(statement, "engine")
    assert step.title == title
    assert {h.code for h in assess(step, {"public.t"}, {("public.t", "a"): "integer"})} == codes
