"""Plans narrowed to the objects that differ: the engine's diffs and live's inspection see only those,
the verification still reads the whole scratch copy, and a change reaching further falls back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import TODAY, Databases, RecordingEngine

from flatrender_schema import catalog
from flatrender_schema.desired import load_plain
from flatrender_schema.engine import Focus, Scope, get_engine
from flatrender_schema.errors import PlanError
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import DevServer

# Enough tables that live counts as mostly built (the shadow then serves as the scratch copy).
FILLER = "".join(
    f"create table filler_{i} (id int primary key, note text, ref int);\n"
    f"create index filler_{i}_ref on filler_{i} (ref);\n"
    for i in range(60)
)


def _plan(
    dbs: Databases, server_url: str, tmp_path: Path, live_sql: str, desired_sql: str
) -> tuple[psycopg.Connection, Any, RecordingEngine, list[str], Path]:
    live = dbs.connect(dbs.create("focus"))
    live.execute((FILLER + live_sql).encode())
    live.execute("insert into filler_0 select g, 'row', g from generate_series(1, 50) g")
    path = tmp_path / "desired.sql"
    path.write_text(FILLER + desired_sql)
    engine, messages = RecordingEngine(), []
    with DevServer(server_url) as dev:
        plan = build_plan(live, load_plain([path]), dev, engine, PlanOptions(TODAY), progress=messages.append)
    return live, plan, engine, messages, path


def _converges(live: psycopg.Connection, plan: Any, path: Path, server_url: str) -> None:
    from flatrender_schema.apply import ApplyOptions, apply_plan

    apply_plan(live, plan, ApplyOptions(allow_hazards=frozenset({"all"})))
    with DevServer(server_url) as dev:
        again = build_plan(live, load_plain([path]), dev, get_engine(), PlanOptions(TODAY))
    assert again.steps == ()


def test_a_plan_over_a_few_changed_tables_sees_only_them(dbs: Databases, server_url: str, tmp_path: Path) -> None:
    live, plan, engine, messages, path = _plan(
        dbs, server_url, tmp_path,
        "create table t (id int primary key, gone text);\ncreate table old (id int);\n",
        "create table t (id int primary key, added int not null default 0);\ncreate table fresh (id int);\n"
        "create index filler_3_note on filler_3 (note);\n",
    )
    assert not any("did not work" in m for m in messages), messages
    assert len(engine.diffs) == 2  # live -> copy, then live -> shadow
    for focus in engine.diffs:
        assert focus is not None
        assert {("public", "t"), ("public", "old"), ("public", "fresh"), ("public", "filler_3")} <= focus
        assert ("public", "filler_0") not in focus
    sql = " ".join(s.sql.lower() for s in plan.steps)
    for expected in ("add column", "drop column", 'create table "public"."fresh"', "drop table", "filler_3_note"):
        assert expected in sql
    assert "filler_0" not in sql
    assert live.execute("select count(*) from filler_0").fetchone() == (50,)
    _converges(live, plan, path, server_url)
    assert live.execute("select count(*) from filler_0").fetchone() == (50,)


def test_a_change_reaching_past_the_changed_objects_is_planned_over_the_whole_schema(
    dbs: Databases, server_url: str, tmp_path: Path
) -> None:
    # The copy of live recreates the enum without the new value, and the engine does not move an
    # array-of-enum column across that: the narrowed attempt fails, the whole-schema one does not.
    live, plan, engine, messages, path = _plan(
        dbs, server_url, tmp_path,
        "create type mood as enum ('ok');\ncreate table t (id int primary key, ms mood[]);\n",
        "create type mood as enum ('ok', 'happy');\ncreate table t (id int primary key, ms mood[]);\n",
    )
    assert any("did not work" in m for m in messages), messages
    assert engine.diffs[0] is not None and engine.diffs[-1] is None  # narrowed first, then whole
    assert any("mood" in s.sql for s in plan.steps)
    _converges(live, plan, path, server_url)


HOSTILE = """
create schema "odd; schema";
create table "odd; schema"."t.x" (id int primary key, "col ""q"" x" text, n int check (n > 0));
create index "t.x idx" on "odd; schema"."t.x" (n);
create table "odd; schema".other (id int primary key, t_id int references "odd; schema"."t.x");
create sequence "odd; schema".s;
create function "odd; schema".f(a int) returns int language sql as 'select a';
create type "odd; schema".e as enum ('a', 'b');
comment on table "odd; schema".other is 'other';
"""


@pytest.mark.parametrize(
    "focus",
    [
        frozenset({("odd; schema", "t.x")}),
        frozenset({("odd; schema", "other"), ("odd; schema", "f"), ("odd; schema", "")}),
        frozenset({("odd; schema", "s"), ("odd; schema", "e"), ("odd; schema", "t.x idx")}),
        frozenset(),
    ],
)
def test_a_narrowed_snapshot_is_the_whole_one_narrowed(dbs: Databases, focus: Focus) -> None:
    conn = dbs.connect(dbs.create("narrow"))
    conn.execute(HOSTILE.encode())
    whole = catalog.read_snapshot(conn)
    narrowed = catalog.read_snapshot(conn, only=focus)
    assert catalog.compare(narrowed, whole.narrowed(focus)) == []
    assert sum(len(r) for r in narrowed.areas.values()) < sum(len(r) for r in whole.areas.values())


@pytest.mark.parametrize("engine_name", ["results", "migra"])
def test_a_narrowed_inspection_diffs_like_the_whole_one(dbs: Databases, engine_name: str) -> None:
    a = dbs.connect(dbs.create("a"))
    b = dbs.connect(dbs.create("b"))
    a.execute((HOSTILE + FILLER).encode())
    b.execute((HOSTILE + FILLER).encode())
    b.execute(
        'alter table "odd; schema"."t.x" add column extra int; create index on filler_7 (note);'
        'alter table "odd; schema".other drop constraint other_t_id_fkey; create table filler_new (id int)'
    )
    engine = get_engine(engine_name)
    focus = catalog.differing_objects(catalog.read_snapshot(a), catalog.read_snapshot(b))
    assert ("public", "filler_7") in focus and ("public", "filler_1") not in focus
    scope = Scope(only=focus)
    whole = engine.diff_inspected(engine.inspect(a), engine.inspect(b), scope)
    narrowed = engine.diff_inspected(engine.inspect(a, focus), engine.inspect(b, focus), scope)
    assert whole and narrowed == whole


def test_a_plan_that_cannot_be_verified_on_an_exact_copy_of_live_is_an_error(
    dbs: Databases, server_url: str, tmp_path: Path
) -> None:
    # The engine neither adds a composite type's attribute nor removes one from the shadow's copy:
    # verified on that inexact copy, the plan would be empty and live would stay as it is.
    with pytest.raises(PlanError, match=r"cannot be verified|does not converge|cannot plan yet") as caught:
        _plan(
            dbs, server_url, tmp_path,
            "create type ct as (a int, b text);\n",
            "create type ct as (a int, b text, c int);\n",
        )
    assert "ct" in str(caught.value)


@pytest.mark.parametrize(
    ("live_enum", "desired_enum", "expected"),
    [("'ok'", "'ok', 'happy'", "add value"), ("'ok', 'sad'", "'ok'", "mood")],
    ids=["value added", "value removed"],
)
def test_an_enum_changed_in_use_is_planned_narrowed(
    dbs: Databases, server_url: str, tmp_path: Path, live_enum: str, desired_enum: str, expected: str
) -> None:
    # The tables using the enum join the focus: the copy of live recreates the type under them.
    table = "create table t (id int primary key, m mood);\n"
    live, plan, engine, messages, path = _plan(
        dbs, server_url, tmp_path,
        f"create type mood as enum ({live_enum});\n{table}", f"create type mood as enum ({desired_enum});\n{table}",
    )
    assert not any("did not work" in m for m in messages), messages
    assert all(focus is not None and ("public", "t") in focus for focus in engine.diffs)
    assert any(expected in s.sql.lower() for s in plan.steps)
    _converges(live, plan, path, server_url)
