"""Each planned statement is parsed once, where it is made (`step.Step`): ordering, the online rewrite,
hazards, grouping and rendering read the tree it carries. pglast's parser is wrapped to count, on a
real plan made against a real server."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pglast
import pytest
from conftest import SCHEMA_DIR, TODAY, Databases

from flatrender_schema.desired import load_desired, load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.plan import Plan
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.render import render_markdown, render_sql, render_text
from flatrender_schema.scratch import DevServer


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Every text pglast builds a parse tree of (or parses to JSON), counted."""
    seen: Counter[str] = Counter()
    tree, as_json = pglast.parser.parse_sql, pglast.parser.parse_sql_json

    def counted_tree(text: str, *args: object, **kwargs: object) -> object:
        seen[text] += 1
        return tree(text, *args, **kwargs)

    def counted_json(text: str, *args: object, **kwargs: object) -> object:
        seen[text] += 1
        return as_json(text, *args, **kwargs)

    monkeypatch.setattr(pglast, "parse_sql", counted_tree)
    monkeypatch.setattr(pglast.parser, "parse_sql", counted_tree)
    monkeypatch.setattr(pglast.parser, "parse_sql_json", counted_json)
    yield seen


def _plan_and_render(live, desired, dev: DevServer) -> tuple[Plan, str]:  # type: ignore[no-untyped-def]
    plan = build_plan(live, desired, dev, get_engine(), PlanOptions(TODAY))
    shown = render_text(plan) + render_markdown(plan) + render_sql(plan) + plan.to_json()
    return plan, shown


def _assert_parsed_once(plan: Plan, parses: Counter[str]) -> None:
    assert plan.steps
    twice = {s.sql: parses[s.sql] for s in plan.steps if parses[s.sql] > 1}
    assert not twice, f"{len(twice)} of {len(plan.steps)} planned statements parsed more than once: {list(twice)[:5]}"


def test_the_flatrender_first_plan_parses_each_statement_once(
    dbs: Databases, dev: DevServer, parses: Counter[str]
) -> None:
    live = dbs.connect(dbs.create("parse_once"))
    plan, _ = _plan_and_render(live, load_desired(SCHEMA_DIR), dev)
    _assert_parsed_once(plan, parses)
    assert len(plan.steps) > 1000  # the whole first plan: grants, comments, tables, functions, ...


def test_rewritten_and_reread_plans_parse_nothing_again(
    dbs: Databases, dev: DevServer, parses: Counter[str], tmp_path: Path
) -> None:
    """Online forms are printed from the rewritten tree; grouping and rendering parse nothing; a plan file
    read back is parsed once, when it is read."""
    live = dbs.connect(dbs.create("parse_once_online"))
    live.execute(b"create schema s; create type s.e as enum ('a'); create table s.u (id int primary key);"
                 b" create table s.t (id int primary key, u int, a int);")
    desired = tmp_path / "to.sql"
    desired.write_text("create schema s; create type s.e as enum ('a', 'b'); create table s.u (id int primary key);"
                       " create table s.t (id int primary key, u int references s.u (id), a int check (a > 0));"
                       " create index t_a on s.t (a);")
    plan, shown = _plan_and_render(live, load_plain([desired]), dev)
    assert {s.phase for s in plan.steps} == {"pre", "main", "post"}, [(s.phase, s.sql) for s in plan.steps]
    assert "CONCURRENTLY" in shown
    _assert_parsed_once(plan, parses)
    before = Counter(parses)
    render_text(plan), render_markdown(plan), plan.to_json()
    assert parses == before  # rendering reads the trees the steps carry

    reread = Plan.from_json(plan.to_json())
    assert reread == plan
    render_text(reread), render_markdown(reread)
    assert all(parses[s.sql] - before[s.sql] == 1 for s in plan.steps)  # once, when the file was read
