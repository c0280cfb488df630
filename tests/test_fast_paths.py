"""The speed paths keep their promises: ordering, batches, one inspection per side, the converged
short cut, and results imported without its slow start. Each against a real server where one is
involved."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from conftest import REPO, SCHEMA_DIR, TODAY, CountingDevServer, Databases

from flatrender_schema import catalog
from flatrender_schema.batches import execute_all, runs_alone
from flatrender_schema.desired import load_desired, load_plain
from flatrender_schema.engine import Scope, diff, get_engine
from flatrender_schema.errors import InputError
from flatrender_schema.online import make_online
from flatrender_schema.ordering import dependency_order
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import DevServer
from flatrender_schema.shadow import build_shadow
from flatrender_schema.step import Step

ORDERING_CASES = yaml.safe_load((Path(__file__).parent / "cases" / "ordering" / "cases.yaml").read_text())


@pytest.mark.parametrize("case", sorted(ORDERING_CASES))
def test_dependency_order(case: str) -> None:
    spec = ORDERING_CASES[case]
    assert dependency_order(spec["statements"]) == spec["order"]


@pytest.mark.parametrize(
    ("statement", "alone"),
    [
        ("create index concurrently i on t (a)", True),
        ("-- why\nCREATE UNIQUE INDEX CONCURRENTLY i ON t (a)", True),
        ("/* c */ begin", True),
        ("commit", True),
        ("vacuum t", True),
        ("create table t (a int)", False),
        ("create index i on t (a)", False),
        ("comment on table t is 'concurrently begin'", False),
        ("reindex index concurrently i", True),
        ("refresh materialized view concurrently v", True),
        ("drop index concurrently i", True),
        ("alter table p detach partition c concurrently", True),
    ],
)
def test_statements_that_must_run_alone(statement: str, alone: bool) -> None:
    # Desired-state SQL is split, not parsed (its pattern); a planned step knows it from its tree.
    assert runs_alone(statement) is alone
    assert Step.parse(statement, "test").runs_alone is alone


@pytest.mark.parametrize(
    ("statement", "plain"),
    [
        ("create index concurrently if not exists i on s.t (a);", "CREATE INDEX IF NOT EXISTS i ON s.t (a);"),
        ("reindex index concurrently s.i;", "REINDEX INDEX s.i;"),
        ("refresh materialized view concurrently s.v;", "REFRESH MATERIALIZED VIEW s.v;"),
        ("create index i on s.t (a);", "create index i on s.t (a);"),
    ],
)
def test_scratch_copies_and_dry_runs_use_the_plain_form(statement: str, plain: str) -> None:
    step = Step.parse(statement, "test")
    assert step.plain_sql == plain
    assert Step.parse(step.plain_sql, "test").runs_alone is step.plain_runs_alone


def _snapshot_of_shadow(dev: DevServer, sql_text: str, tmp_path: Path, name: str) -> catalog.Snapshot:
    path = tmp_path / f"{name}.sql"
    path.write_text(sql_text)
    with dev.database(name) as conn:
        build_shadow(conn, load_plain([path]), TODAY)
        return catalog.read_snapshot(conn)


def test_shadow_from_reversed_files_equals_the_ordered_one(dev: DevServer, tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from synthetic import generate

    text = generate(30).to_sql
    statements = [s.sql for s in load_plain([_write(tmp_path / "all.sql", text)]).statements]
    reversed_text = ";\n".join(reversed(statements)) + ";\n"
    ordered = _snapshot_of_shadow(dev, text, tmp_path, "ordered")
    shuffled = _snapshot_of_shadow(dev, reversed_text, tmp_path, "reversed")
    assert len(ordered.rows("relations")) > 30
    assert catalog.compare(ordered, shuffled) == []


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_a_failing_statement_deep_in_a_batch_is_reported_where_it_was_written(dev: DevServer, tmp_path: Path) -> None:
    lines = [f"create table t{i} (a int);" for i in range(150)]
    lines[120] = "create table t120 (a int references missing_table (id));"
    lines[130] = "create table t130 (a no_such_type);"
    path = _write(tmp_path / "big.sql", "\n".join(lines) + "\n")
    with dev.database("bad") as conn, pytest.raises(InputError) as err:
        build_shadow(conn, load_plain([path]), TODAY)
    # Both are retried after everything else (they might be order problems); the first is reported.
    assert err.value.location is not None and err.value.location.line == 121, err.value
    assert "missing_table" in err.value.message


def test_statements_that_cannot_share_a_transaction_build(dev: DevServer, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "s.sql",
        "create index concurrently t_a_idx on t (a);\n"  # before its table: retried after it
        "create table t (a int);\n"
        "create table u (a int);\n"
        "create index concurrently u_a_idx on u (a);\n"
        "vacuum u;\n",
    )
    with dev.database("alone") as conn:
        build_shadow(conn, load_plain([path]), TODAY)
        names = {r["name"] for r in catalog.read_snapshot(conn).rows("indexes")}
    assert names == {"t_a_idx", "u_a_idx"}


def test_execute_all_reports_each_failing_statement_by_index(dbs: Databases) -> None:
    conn = dbs.connect(dbs.create("batches"))
    statements = [f"create table t{i} (a int)" for i in range(250)]
    statements[7] = "create table t7 (a nope)"
    statements[180] = "create table t0 (a int)"  # already exists
    failed: list[int] = []
    execute_all(conn, statements, lambda i, _exc: failed.append(i))
    assert failed == [7, 180]
    count = conn.execute("select count(*) from pg_class where relname ~ '^t[0-9]+$' and relkind = 'r'").fetchone()
    assert count is not None and count[0] == 248



def test_a_converged_database_is_planned_without_a_scratch_copy(dbs: Databases, server_url: str) -> None:
    from flatrender_schema.apply import apply_plan

    conn = dbs.connect(dbs.create("converged"))
    desired = load_desired(SCHEMA_DIR)
    with DevServer(server_url) as dev:
        apply_plan(conn, build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY)))
    messages: list[str] = []
    with CountingDevServer(server_url) as dev:
        plan = build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY), progress=messages.append)
        assert plan.steps == ()
        assert dev.purposes == ["shadow"]
    assert "live already matches the desired state" in messages
    # One change by hand, and the full path (copy, engine, gaps, verification) runs again; the fresh
    # shadow, once read, is itself turned into the scratch copy of live.
    conn.execute("comment on table identity.users is 'changed by hand'")
    messages.clear()
    with CountingDevServer(server_url) as dev:
        plan = build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY), progress=messages.append)
        assert dev.purposes == ["shadow"]
    assert "verifying the plan converges" in messages
    assert [s.sql for s in plan.steps] and all("comment on table" in s.sql.lower() for s in plan.steps)


def _pair(dbs: Databases, a_sql: str, b_sql: str) -> tuple[psycopg.Connection, psycopg.Connection]:
    a, b = dbs.connect(dbs.create("a")), dbs.connect(dbs.create("b"))
    a.execute(a_sql.encode())
    b.execute(b_sql.encode())
    return a, b


@pytest.mark.parametrize("engine_name", ["results", "migra"])
def test_one_inspection_serves_diffs_both_ways(dbs: Databases, engine_name: str) -> None:
    """Diffs from reused inspections equal diffs from fresh ones, whichever ran first (the engines'
    corrections, enum additions and CHECK alignment among them, must not leak into the next diff)."""
    a, b = _pair(
        dbs,
        "create type mood as enum ('ok'); create table t (m mood, n int check (n > 0 and n < 9 and n <> 5));",
        "create type mood as enum ('ok', 'happy'); create table t (m mood, n int check ((n > 0 and n < 9) and n <> 5),"
        " extra text); create table u (id int);",
    )
    engine = get_engine(engine_name)
    scope = Scope()
    fresh_forward, fresh_backward = diff(engine, a, b, scope), diff(engine, b, a, scope)
    ia, ib = engine.inspect(a), engine.inspect(b)
    results: list[Any] = []
    for _ in range(2):
        results.append((engine.diff_inspected(ia, ib, scope), engine.diff_inspected(ib, ia, scope)))
    assert fresh_forward and fresh_backward
    assert all(r == (fresh_forward, fresh_backward) for r in results)
    assert any("add value" in s.lower() for s in fresh_forward)


def test_results_is_imported_with_its_queries_unchanged() -> None:
    code = (
        "import flatrender_schema.engine.results_engine\n"
        "from importlib.resources import files\n"
        "import results.schemainspect.misc as misc, results.schemainspect.pg.obj as obj\n"
        "assert misc.external_caller_package.__module__ == 'flatrender_schema.engine.results_import'\n"
        "sql = files('results.schemainspect.pg').joinpath('sql')\n"
        "for name, file in [('ALL_RELATIONS_QUERY', 'relations.sql'), ('INDEXES_QUERY', 'indexes.sql'),\n"
        "                   ('EXTOIDS_QUERY', 'extoids.sql'), ('PRIVILEGES_QUERY', 'privileges.sql')]:\n"
        "    assert getattr(obj, name) == sql.joinpath(file).read_text(), name\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr


@pytest.mark.parametrize(
    "statement",
    [
        'CREATE INDEX i ON "s"."t" (a);',
        "/* why */ create unique index i on s.t (a);",
        "-- why\nalter table s.t add constraint f foreign key (a) references s.u (id);",
        "ALTER TABLE ONLY s.t ADD CONSTRAINT c CHECK (a > 0);",
        "alter type s.e add value 'x';",
    ],
)
def test_online_forms_are_found_however_the_statement_is_spelled(statement: str) -> None:
    # make_online reads each step's tree: leading comments and spelling must not hide an online form.
    step = Step.parse(statement, "engine")
    out = make_online([step], {"s.t"}, set())
    assert out != [step]
    assert {c.phase for c in out} & {"pre", "post"}
