"""A key whose index is rebuilt online (new storage options) is never missing: the new index is built
concurrently under another name before the transaction, and the transaction swaps it in. A writer that
keeps inserting a duplicate key throughout the apply is refused every time, and nothing is lost."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
from conftest import TODAY, Databases

from flatrender_schema.apply import ApplyOptions, apply_plan
from flatrender_schema.desired import load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.postgres.connect import connect
from flatrender_schema.scratch import DevServer

BASE = b"""
create table public.keyed (id int primary key, code text unique with (fillfactor = 60));
insert into public.keyed select g, 'c' || g from generate_series(1, 20000) g;
"""
TARGET = "create table public.keyed (id int primary key with (fillfactor = 70), code text unique);\n"


def _keys(conn: psycopg.Connection) -> set[str]:
    rows = conn.execute("select conname from pg_constraint where conrelid = 'public.keyed'::regclass").fetchall()
    return {r[0] for r in rows}


def test_a_rebuilt_key_is_swapped_in_one_transaction(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    url = dbs.create("rebuild")
    conn = dbs.connect(url)
    conn.execute(BASE)
    (tmp_path / "target.sql").write_text(TARGET)
    desired = load_plain([tmp_path / "target.sql"])
    plan = build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY))

    by_phase = {phase: [s.sql.lower() for s in plan.steps if s.phase == phase] for phase in ("pre", "main", "post")}
    for name in ("keyed_pkey", "keyed_code_key"):
        assert any(f'drop constraint "{name}"' in s for s in by_phase["main"]), by_phase
        assert any(f'add constraint "{name}"' in s for s in by_phase["main"]), f"{name} not in main: {by_phase}"
        assert not any(name in s for s in by_phase["post"]), by_phase["post"]
    assert all("concurrently" in s for s in by_phase["pre"]) and len(by_phase["pre"]) == 2, by_phase["pre"]

    stop = threading.Event()
    outcomes = {"refused": 0, "accepted": 0}

    def insert_duplicates() -> None:
        with connect(url, autocommit=True) as writer:
            while not stop.is_set():
                try:
                    writer.execute("insert into public.keyed values (1, 'c1')")
                    outcomes["accepted"] += 1
                except psycopg.errors.UniqueViolation:
                    outcomes["refused"] += 1

    thread = threading.Thread(target=insert_duplicates)
    thread.start()
    try:
        apply_plan(conn, plan, ApplyOptions(lock_timeout="2s", lock_retries=5, retry_backoff=0.2))
    finally:
        stop.set()
        thread.join()

    assert outcomes["accepted"] == 0, outcomes
    assert outcomes["refused"] > 0, "the writer never ran during the apply"
    assert _keys(conn) == {"keyed_pkey", "keyed_code_key"}
    assert conn.execute("select count(*) from public.keyed").fetchone() == (20000,)
    options = conn.execute("select reloptions from pg_class where relname = 'keyed_pkey'").fetchone()
    assert options == (["fillfactor=70"],)
    leftovers = conn.execute("select count(*) from pg_class where relname like '%frs_next'").fetchone()
    assert leftovers == (0,)
    assert build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY)).empty
