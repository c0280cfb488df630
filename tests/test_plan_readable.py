"""Issue 17: plans a reviewer can read. Grouped by object (acceptance 1), Markdown that fits a pull-request
comment with every hazard (acceptance 2). Real plans against the session's real server."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO, SCHEMA_DIR, TODAY, Databases

from flatrender_schema.desired import load_desired, load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.plan import Plan
from flatrender_schema.plan_groups import group_steps
from flatrender_schema.plan_markdown import COMMENT_LIMIT, GITHUB_COMMENT_LIMIT
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.render import render_markdown, render_sql, render_text
from flatrender_schema.scratch import DevServer
from flatrender_schema.step import Step

sys.path.insert(0, str(REPO / "bench"))
from synthetic import generate

CASES = Path(__file__).parent / "cases" / "render"
PLAN_SCHEMA = json.loads((REPO / "docs" / "plan.schema.json").read_text())
FIRST_SCREEN = 40
REGEN = os.environ.get("SCHEMA_REGEN") == "1"  # rewrite the golden files instead of comparing


def _plan(dbs: Databases, dev: DevServer, desired, live_sql: str = "") -> Plan:  # type: ignore[no-untyped-def]
    conn = dbs.connect(dbs.create("readable"))
    if live_sql:
        conn.execute(live_sql.encode())
    return build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY))


@pytest.fixture(scope="module")
def first_plan(server_url: str) -> Iterator[Plan]:
    """FlatRender's first plan (from an empty database), made for real once for the module."""
    dbs = Databases(server_url)
    try:
        with DevServer(server_url) as dev:
            yield _plan(dbs, dev, load_desired(SCHEMA_DIR))
    finally:
        dbs.close()


def _stable(plan: Plan) -> Plan:
    """The same plan with what differs between runs fixed: the scratch database's name, the server major,
    and the roles (cluster-wide: other tests on the session's server may have created them already)."""
    steps = tuple(s for s in plan.steps if s.source != "roles")
    return dataclasses.replace(plan, target="flatrender", server_major=15, steps=steps)


def _golden(path: Path, text: str) -> None:
    if REGEN or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not REGEN:
            pytest.fail(f"{path} did not exist: written; review it and run again")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path}; SCHEMA_REGEN=1 rewrites it"


# -- acceptance 1: grouped by object ---------------------------------------------------------------


def test_first_plan_reads_as_about_65_object_blocks(first_plan: Plan) -> None:
    groups = group_steps(first_plan.steps)
    assert len(first_plan.steps) > 1000
    assert 55 <= len(groups) <= 75, [g.title for g in groups]
    # Every step is in exactly one block; blocks keep the plan's order inside.
    indexes = [i for g in groups for i in g.steps]
    assert sorted(indexes) == list(range(len(first_plan.steps)))
    assert all(list(g.steps) == sorted(g.steps) for g in groups)
    # Each table once, its partitions, indexes, constraints, comments and grants inside it.
    tables = [g.object for g in groups if g.kind == "table"]
    assert len(tables) == len(set(tables)) == 55
    logs = next(g for g in groups if g.object == "identity.tenant_api_request_logs")
    assert any("create partition" in i.text for i in logs.items)
    assert not any(g.object.startswith("identity.tenant_api_request_logs_20") for g in groups)
    # The text shows the blocks, not one line per step.
    text = render_text(first_plan)
    titles = [line for line in text.splitlines() if re.match(r"^(\+|-|~|-/\+) \w", line)]
    assert len(titles) == len(groups)
    assert len(text.splitlines()) < len(first_plan.steps) // 2


def test_first_screen_of_the_first_plan(first_plan: Plan) -> None:
    head = "\n".join(render_text(_stable(first_plan)).splitlines()[:FIRST_SCREEN]) + "\n"
    _golden(CASES / "flatrender_first_plan" / "first_screen.txt", head)


def test_every_statement_is_labelled_with_its_real_object(first_plan: Plan) -> None:
    by_sql = {s.sql: s for s in first_plan.steps}

    def step(pattern: str):  # type: ignore[no-untyped-def]
        found = [s for sql, s in by_sql.items() if re.search(pattern, sql)]
        assert found, pattern
        return found[0]

    assert step(r'^COMMENT ON COLUMN "content"\."blog_posts"\."tenant_id"').object == "content.blog_posts.tenant_id"
    assert step(r'^grant .* on table "identity"\."users" to "identity_svc"').object == "identity.users"
    assert step(r'^alter default privileges .* in schema "content"').object == "content"
    # Roles may exist already: the label is the role.
    assert Step.parse('create role "identity_svc" nologin', "roles").title == "create identity_svc"
    assert step(r'^alter schema "content" owner to').object == "content"
    assert step(r"^CREATE INDEX blog_posts_author_user_id_idx").object == "content.blog_posts_author_user_id_idx"
    # No label is a statement keyword or empty any more.
    assert not [s.sql for s in first_plan.steps if s.object in ("", "comment")]
    # And the blocks put them where a reviewer looks for them.
    blog = next(g for g in group_steps(first_plan.steps) if g.object == "content.blog_posts")
    texts = [i.text for i in blog.items]
    assert "grant content_svc: select, insert, update, delete" in texts
    assert any(t.startswith("comment on columns tenant_id") for t in texts)
    schema = next(g for g in group_steps(first_plan.steps) if g.object == "content" and g.kind == "schema")
    assert any(t.startswith("default privileges for content_svc: ") for t in (i.text for i in schema.items))


def test_json_keeps_every_step_in_order_and_adds_the_groups(first_plan: Plan) -> None:
    data = json.loads(first_plan.to_json())
    jsonschema.validate(data, PLAN_SCHEMA)
    assert [s["sql"] for s in data["steps"]] == [s.sql for s in first_plan.steps]
    assert sorted(i for g in data["groups"] for i in g["steps"]) == list(range(len(data["steps"])))
    assert Plan.from_json(first_plan.to_json()) == first_plan  # groups are derived: the plan reads back the same


def test_sql_stays_executable_in_order(first_plan: Plan) -> None:
    sql = render_sql(first_plan)
    positions = [sql.index(s.sql) for s in first_plan.steps]
    assert positions == sorted(positions)


def test_a_small_plan_shows_its_sql_under_each_object(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    desired = tmp_path / "to.sql"
    desired.write_text("create table t (id int primary key, a int, b text);\ncomment on column t.b is 'why';\n"
                       "create index t_a_idx on t (a);\n")
    plan = _plan(dbs, dev, load_plain([desired]), "create table t (id int primary key, a int, gone int)")
    text = render_text(plan)
    assert re.search(r"^~ table public\.t  \(\d+ statements\)$", text, re.M), text
    assert "drop column gone  [hazard: DELETES_DATA]" in text
    assert re.search(r"^ {10}.*drop column \"gone\"", text, re.M), text  # its SQL beneath
    assert "comment on column b" in text
    assert "create index t_a_idx" in text


# -- acceptance 2: Markdown that always fits, every hazard kept ------------------------------------


def _assert_fits_with_every_hazard(plan: Plan) -> str:
    md = render_markdown(plan)
    assert len(md) <= COMMENT_LIMIT < GITHUB_COMMENT_LIMIT
    hazardous = [(i, s) for i, s in enumerate(plan.steps, 1) if s.hazards]
    hazard_section = md.split("#### Hazards", 1)[1].split("#### Objects", 1)[0] if hazardous else ""
    for number, step in hazardous:
        entry = f"on `{step.object}` (step {number}"
        assert entry in hazard_section, entry
    assert "more hazards" not in md
    # The comment posted is the same text behind ci/comment.py's marker, never cut.
    from flatrender_schema.ci.comment import MAX_BODY, comment_body

    body = comment_body(md)
    assert len(body) <= MAX_BODY and "plan cut to fit" not in body
    return md


def test_markdown_of_the_first_plan_fits(first_plan: Plan) -> None:
    md = _assert_fits_with_every_hazard(first_plan)
    assert "| identity | 20 | 0 | 0 |" in md  # the summary per service
    groups = group_steps(first_plan.steps)
    shown = sum(1 for g in groups if f"{g.title}" in md)
    left = re.search(r"\*\*(\d+) more objects\*\* — the full plan is the `plan.json` artifact", md)
    assert shown + (int(left.group(1)) if left else 0) == len(groups)


def _synthetic_plan(dbs: Databases, dev: DevServer, tmp_path: Path, copies: int) -> Plan:
    """A real plan of 100 synthetic tables from empty, its steps then repeated over `copies` schemas."""
    desired = tmp_path / "to.sql"
    desired.write_text(generate(100).to_sql)
    plan = _plan(dbs, dev, load_plain([desired]))
    steps = []
    for k in range(copies):
        for s in plan.steps:
            def rename(text: str, k: int = k) -> str:
                return re.sub(r"\bbench_s0\b", f"bench_s{k}", text)

            steps.append(dataclasses.replace(s, sql=rename(s.sql), object=rename(s.object)))
    return dataclasses.replace(plan, steps=tuple(steps))


def test_markdown_of_a_2000_table_plan_fits(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    plan = _synthetic_plan(dbs, dev, tmp_path, 20)
    groups = group_steps(plan.steps)
    assert sum(1 for g in groups if g.kind == "table") == 2000
    md = _assert_fits_with_every_hazard(plan)
    left = re.search(r"\*\*(\d+) more objects\*\* — the full plan is the `plan.json` artifact", md)
    assert left, md[-500:]
    shown = sum(1 for g in groups if g.title in md)
    assert shown + int(left.group(1)) == len(groups)


def test_markdown_of_a_plan_with_200_hazards_fits(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    """200 tables each losing a column: 200 DELETES_DATA hazards, each listed with its statement."""
    live = "".join(f"create table t{n:03d} (id int primary key, a int, old_{n} text);\n" for n in range(200))
    desired = tmp_path / "to.sql"
    desired.write_text("".join(f"create table t{n:03d} (id int primary key, a int);\n" for n in range(200)))
    plan = _plan(dbs, dev, load_plain([desired]), live)
    assert sum(1 for s in plan.steps if s.hazards) == 200
    md = _assert_fits_with_every_hazard(plan)
    assert 'alter table "public"."t042" drop column "old_42"' in md  # hazards in full, with their statement
