"""The plan file: documented by docs/plan.schema.json, round-trips, carries no secrets."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from conftest import REPO, TODAY, Databases

from flatrender_schema.desired import load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.hazards import CATALOGUE
from flatrender_schema.plan import Plan
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import DevServer

SCHEMA = json.loads((REPO / "docs" / "plan.schema.json").read_text())


def test_plan_file_matches_its_schema_and_round_trips(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    conn = dbs.connect(dbs.create("planfile"))
    conn.execute("create table t (id int primary key, a int); create table gone (id int)")
    target = tmp_path / "to.sql"
    target.write_text("create type mood as enum ('a'); create table t (id int primary key, a bigint not null);"
                      "create index t_a_idx on t (a); create table fresh (id int, m mood);")
    plan = build_plan(conn, load_plain([target]), dev, get_engine(), PlanOptions(TODAY))
    data = json.loads(plan.to_json())
    jsonschema.validate(data, SCHEMA)
    assert {p["phase"] for p in data["steps"]} >= {"main", "post"}
    assert Plan.from_json(plan.to_json()) == plan
    assert "password" not in plan.to_json().lower()


def test_schema_lists_every_hazard_code() -> None:
    codes = SCHEMA["$defs"]["step"]["properties"]["hazards"]["items"]["properties"]["code"]["enum"]
    assert set(codes) == set(CATALOGUE)


def test_schema_rejects_a_broken_plan() -> None:
    bad = {"format_version": 2, "steps": []}
    try:
        jsonschema.validate(bad, SCHEMA)
    except jsonschema.ValidationError:
        return
    raise AssertionError("the plan schema accepted a broken plan")
