"""--reuse-shadow: the shadow database is kept on the dev server, keyed by the desired state."""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
from conftest import SCHEMA_DIR, TODAY, CountingDevServer, Databases, RecordingEngine
from psycopg import sql

from flatrender_schema import catalog, shadow_cache
from flatrender_schema.desired import load_desired, load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.postgres.connect import connect, with_dbname
from flatrender_schema.scratch import SCRATCH_PREFIX, DevServer


def _cached(admin: psycopg.Connection) -> set[str]:
    rows = admin.execute("select datname from pg_database where datname like %s", [f"{SCRATCH_PREFIX}%cache%"])
    return {r[0] for r in rows}


@contextlib.contextmanager
def _new_caches(dbs: Databases) -> Iterator[Callable[[], set[str]]]:
    """The cached databases made since entry (a function to ask), all dropped on exit."""
    before = _cached(dbs.admin)

    def made() -> set[str]:
        return _cached(dbs.admin) - before

    try:
        yield made
    finally:
        for name in made():
            with contextlib.suppress(psycopg.Error):
                dbs.admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))


def test_shadow_is_reused_and_rebuilt_when_the_files_change(dbs: Databases, server_url: str, tmp_path: Path) -> None:
    conn = dbs.connect(dbs.create("reuse"))
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    options = PlanOptions(TODAY, reuse_shadow=True)
    with _new_caches(dbs) as made:
        with DevServer(server_url) as dev:
            first = build_plan(conn, load_desired(schema), dev, get_engine(), options)
        first_made = made()
        assert len(first_made) == 1
        with DevServer(server_url) as dev:
            second = build_plan(conn, load_desired(schema), dev, get_engine(), options)
        assert made() == first_made  # reused, not rebuilt
        # The roles the cached shadow grants to are kept too; here the dev server is the target's own
        # cluster, so the second plan finds them and plans no CREATE ROLE. Everything else is identical.
        assert second.steps == tuple(s for s in first.steps if s.source != "roles")
        (schema / "studio" / "zz_new.sql").write_text(
            "CREATE TABLE studio.notes (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);\n")
        with DevServer(server_url) as dev:
            third = build_plan(conn, load_desired(schema), dev, get_engine(), options)
        assert len(made()) == 2
        assert any("studio" in s.sql and "notes" in s.sql for s in third.steps)


FILLER = "".join(f"create table filler_{i} (id int primary key, note text);\n" for i in range(60))


def _plan_twice_with_reuse(
    dbs: Databases, server_url: str, tmp_path: Path, live_sql: str, desired_sql: str
) -> tuple[list[str], list[str], catalog.Snapshot, catalog.Snapshot]:
    """Plan live -> desired twice with --reuse-shadow (the first builds the cache); return the second
    plan's statements, the scratch databases it created, and the cached shadow's snapshot before and
    after it."""
    conn = dbs.connect(dbs.create("reuse_mut"))
    conn.execute((FILLER + live_sql).encode())
    path = tmp_path / "desired.sql"
    path.write_text(FILLER + desired_sql)
    options = PlanOptions(TODAY, reuse_shadow=True)
    with _new_caches(dbs) as made:
        with DevServer(server_url) as dev:
            build_plan(conn, load_plain([path]), dev, get_engine(), options)
        (cache,) = made()
        with connect(with_dbname(server_url, cache), autocommit=True) as c:
            snap_before = catalog.read_snapshot(c)
        with CountingDevServer(server_url) as dev:
            plan = build_plan(conn, load_plain([path]), dev, get_engine(), options)
            created = list(dev.purposes)
        with connect(with_dbname(server_url, cache), autocommit=True) as c:
            snap_after = catalog.read_snapshot(c)
    return [s.sql for s in plan.steps], created, snap_before, snap_after



def test_a_cached_shadow_is_planned_on_in_a_transaction_and_left_as_it_was(
    dbs: Databases, server_url: str, tmp_path: Path
) -> None:
    steps, created, before, after = _plan_twice_with_reuse(
        dbs, server_url, tmp_path,
        "create table t (id int primary key, gone text);\n",
        "create table t (id int primary key, added int not null default 0);\n"
        "create index t_added_idx on t (added);\n",
    )
    assert created == []  # no scratch database: the cached shadow, in a transaction rolled back
    assert any("add column" in s.lower() and "added" in s for s in steps)
    assert any("drop column" in s.lower() and "gone" in s for s in steps)
    assert any("concurrently" in s.lower() for s in steps)  # the plan keeps its online form
    assert catalog.compare(before, after) == []


def test_what_cannot_run_in_that_transaction_is_planned_on_a_file_copy(
    dbs: Databases, server_url: str, tmp_path: Path
) -> None:
    # A new enum value used in the same transaction is refused ("unsafe use of new value").
    steps, created, before, after = _plan_twice_with_reuse(
        dbs, server_url, tmp_path,
        "create type mood as enum ('ok');\ncreate table t (id int primary key, m mood default 'ok');\n",
        "create type mood as enum ('ok', 'happy');\ncreate table t (id int primary key, m mood default 'happy');\n",
    )
    assert created == ["copy"]
    assert any("add value" in s.lower() for s in steps)
    assert any("set default 'happy'" in s.lower() for s in steps)
    assert catalog.compare(before, after) == []


def _read_snapshots_recorded(monkeypatch: Any) -> list[str]:
    """The databases the planner reads catalog snapshots of, in order."""
    read: list[str] = []
    real = catalog.read_snapshot

    def recording(conn: psycopg.Connection, *args: Any, **kwargs: Any) -> catalog.Snapshot:
        read.append(conn.info.dbname)
        return real(conn, *args, **kwargs)

    monkeypatch.setattr("flatrender_schema.planner.catalog.read_snapshot", recording)
    return read


def test_a_cached_shadow_keeps_its_snapshot_and_inspection(
    dbs: Databases, server_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    conn = dbs.connect(dbs.create("reuse_keep"))
    conn.execute((FILLER + "create table t (id int primary key, gone text);").encode())
    path = tmp_path / "desired.sql"
    path.write_text(FILLER + "create table t (id int primary key, added int);\n")
    options = PlanOptions(TODAY, reuse_shadow=True)
    marker = tmp_path / "payload-ran"
    with _new_caches(dbs) as made:
        with DevServer(server_url) as dev:
            first = build_plan(conn, load_plain([path]), dev, get_engine(), options)
        (cache,) = made()
        read = _read_snapshots_recorded(monkeypatch)
        engine = RecordingEngine()
        with DevServer(server_url) as dev:
            second = build_plan(conn, load_plain([path]), dev, engine, options)
        assert [s.sql for s in second.steps] == [s.sql for s in first.steps]
        assert cache not in [db for db, _ in engine.inspections]  # the shadow's inspection: kept
        # Live is inspected for the objects that differ only (no inspection of it was under way).
        ((db, focus),) = engine.inspections
        assert db == conn.info.dbname and focus is not None
        assert ("public", "t") in focus and ("public", "filler_0") not in focus
        assert read.count(cache) == 2  # the scratch work on it (narrowed, then whole), not the shadow itself

        # A stored value that names anything but the engine's classes is not loaded (a pickle would
        # run it): it is computed again, and the plan is the same. Nor is a value of another type.
        class Payload:
            def __reduce__(self) -> tuple[Any, tuple[str]]:
                return (os.system, (f"touch {marker}",))

        def short(text: str) -> bytes:
            return b"\x8c" + bytes([len(text.encode())]) + text.encode()

        # A dotted name walks attributes from an allowed module to os.system (protocol 4).
        dotted = (b"\x80\x04" + short("results.schemainspect.misc") + short("inspect.os.system") + b"\x93"
                  + short(f"touch {marker}") + b"\x85R.")
        for payload in (pickle.dumps(Payload()), dotted, pickle.dumps(42)):
            with connect(with_dbname(server_url, cache), autocommit=True) as c:
                c.execute(f"update {shadow_cache.TABLE} set data = %s", [payload])
            read.clear()
            engine = RecordingEngine()
            with DevServer(server_url) as dev:
                third = build_plan(conn, load_plain([path]), dev, engine, options)
            assert [s.sql for s in third.steps] == [s.sql for s in first.steps]
            assert not marker.exists()
            assert cache in [db for db, _ in engine.inspections] and read.count(cache) == 3
