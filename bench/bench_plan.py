"""Benchmark `schema plan` side by side with the bare diff engine, on the same two databases.

Scenarios: FlatRender (`schema/`) against an empty database and against a converged one, and synthetic
schemas (bench/synthetic.py, deterministic) of `--sizes` tables, against a converged live database and
against a mutated one (~5% of the tables differ). For each, in one run on one ephemeral cluster:

- load: executing the desired DDL (`to.sql`) into a fresh database with psycopg (that database is
  then the "desired" side of the bare diffs);
- bare upstream: `results.dbdiff.Migration(PostgreSQL(cur_live), PostgreSQL(cur_desired))
  .add_all_changes()` with results' own, unpatched inspector;
- bare patched: the same with our inspector (`flatrender_schema.engine.results_engine._Inspector`,
  the pg_depend identity-lookup fix);
- ours (lib): `load_desired`/`load_plain` + `build_plan(...)` in-process (shadow build, scratch copy
  of live, engine diff, gap layer, verification), the dev server being the same cluster;
- ours (CLI): wall time of `python -m flatrender_schema plan ... --database-url LIVE --dev-url DEV`.

Each measurement runs in its own process with a timeout (`--timeout`, reported as "timeout").
`--profile N` then profiles `build_plan` at N tables (mutated live): phases, the catalog and inspector
queries one by one, cProfile's top functions, and `build_plan` with a pre-built shadow database.
Output: bench/out/bench_plan.{json,md} (and profile_N.txt); the Markdown is printed.
`python bench/bench_plan.py [--quick] [--sizes 500,2000] [--timeout 300] [--profile 2000]`.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import json
import multiprocessing as mp
import os
import platform
import pstats
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for _p in (str(REPO), str(BENCH)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from synthetic import generate  # noqa: E402

OUT = BENCH / "out"
TODAY = dt.date(2026, 11, 25)  # fixed: the partition policy plans from it, so runs are comparable
DB_PREFIX = "bench_"


# -- measurements in child processes -------------------------------------------------------------


def _connect(url: str, timeout: float) -> psycopg.Connection:
    ms = int(timeout * 1000)
    return psycopg.connect(url, autocommit=True, options=f"-c statement_timeout={ms}")


def _statements(script: Path) -> list[bytes]:
    from pglast import parser

    return [s.encode() for s in parser.split(script.read_text(encoding="utf-8"))]


def _run_script(conn: psycopg.Connection, statements: list[bytes]) -> None:
    # One statement at a time in autocommit, as `psql -f` does: one transaction for 2,000 tables
    # runs out of lock slots (max_locks_per_transaction).
    for stmt in statements:
        conn.execute(stmt)


def _measure_load(p: dict[str, Any]) -> dict[str, Any]:
    statements = _statements(Path(p["script"]))  # splitting is not timed
    with _connect(p["url"], p["timeout"]) as conn:
        start = time.perf_counter()
        _run_script(conn, statements)
        return {"seconds": time.perf_counter() - start, "statements": len(statements)}


def _measure_bare(p: dict[str, Any]) -> dict[str, Any]:
    from results.dbdiff import Migration

    if p["inspector"] == "patched":
        from flatrender_schema.engine.results_engine import _Inspector as Inspector
    else:
        from results.schemainspect.pg.obj import PostgreSQL as Inspector
    a, b = _connect(p["live"], p["timeout"]), _connect(p["desired"], p["timeout"])
    if p["inspector"] == "patched":  # with everything we do for speed on the connection, as ours runs
        a.execute("set jit = off")
        b.execute("set jit = off")
    with a, b, a.cursor() as cur_a, b.cursor() as cur_b:
        start = time.perf_counter()
        migration = Migration(Inspector(cur_a), Inspector(cur_b))
        migration.set_safety(False)
        migration.add_all_changes()
        text = migration.sql
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "statements": text.count(";\n") + (0 if text.endswith(";\n") else bool(text))}


def _load(p: dict[str, Any]) -> Any:
    from flatrender_schema.desired import load_desired, load_plain

    return load_desired(Path(p["schema_dir"])) if p.get("schema_dir") else load_plain([Path(p["desired_sql"])])


def _measure_ours(p: dict[str, Any]) -> dict[str, Any]:
    from flatrender_schema.engine import get_engine
    from flatrender_schema.planner import PlanOptions, build_plan
    from flatrender_schema.postgres.connect import connect
    from flatrender_schema.scratch import DevServer

    options = PlanOptions(TODAY, reuse_shadow=bool(p.get("reuse")))
    with connect(p["live"], autocommit=True) as live, DevServer(p["dev"]) as dev:
        if options.reuse_shadow:  # the first plan builds the cached shadow; the second is timed
            build_plan(live, _load(p), dev, get_engine(), options)
        start = time.perf_counter()
        desired = _load(p)
        loaded = time.perf_counter()
        plan = build_plan(live, desired, dev, get_engine(), options)
        end = time.perf_counter()
    return {"seconds": end - start, "load_desired": loaded - start, "build_plan": end - loaded,
            "steps": len(plan.steps), "warnings": list(plan.warnings)}


WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "load": _measure_load, "bare": _measure_bare, "ours": _measure_ours,
}


def _child(kind: str, params: dict[str, Any], queue: Any) -> None:
    try:
        queue.put(WORKERS[kind](params))
    except psycopg.errors.QueryCanceled:
        queue.put({"status": "timeout"})
    except BaseException as exc:  # reported, not raised: the run goes on
        queue.put({"status": "error", "error": f"{type(exc).__name__}: {str(exc).strip()[:300]}"})


# -- the cluster ---------------------------------------------------------------------------------


class Bench:
    def __init__(self, url: str, timeout: float, out: Path = OUT) -> None:
        self.url = url
        self.timeout = timeout
        self.out = out
        self.admin = psycopg.connect(url, autocommit=True)

    def db_url(self, name: str) -> str:
        from flatrender_schema.postgres.connect import with_dbname

        return with_dbname(self.url, name)

    def create(self, name: str, template: str = "template0") -> str:
        self.admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        self.admin.execute(
            sql.SQL("create database {} template {}").format(sql.Identifier(name), sql.Identifier(template))
        )
        return self.db_url(name)

    def cleanup(self) -> None:
        """After a killed measurement: end its backends and drop the scratch databases it left."""
        self.admin.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity "
            "where pid <> pg_backend_pid() and backend_type = 'client backend'"
        )
        rows = self.admin.execute("select datname from pg_database where datname like 'frs\\_scratch\\_%'")
        for (name,) in rows.fetchall():
            self.admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))

    def run(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        proc = ctx.Process(target=_child, args=(kind, {**params, "timeout": self.timeout}, queue))
        proc.start()
        deadline = time.monotonic() + self.timeout + 30  # + interpreter start and imports
        result: dict[str, Any] | None = None
        while result is None and time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                result = queue.get(timeout=1)
            if result is None and not proc.is_alive():
                with contextlib.suppress(Exception):
                    result = queue.get(timeout=1)
                break
        if proc.is_alive():
            proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()
        if result is None:
            result = {"status": "timeout" if time.monotonic() >= deadline else "error", "error": "no result"}
        if result.get("status") in ("timeout", "error"):
            self.cleanup()
        result.setdefault("status", "ok")
        return result

    def cli(self, args: list[str]) -> dict[str, Any]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SCHEMA_DEV_URL")}
        start = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-m", "flatrender_schema", "plan", "--format", "json",
                                   "--now", TODAY.isoformat(), *args], cwd=REPO, env=env,
                                  capture_output=True, text=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.cleanup()
            return {"status": "timeout"}
        seconds = time.perf_counter() - start
        if proc.returncode not in (0, 2):
            return {"status": "error", "error": (proc.stderr or proc.stdout).strip()[-300:]}
        return {"status": "ok", "seconds": seconds, "exit": proc.returncode}

    def drop_all(self) -> None:
        """Drop every database this benchmark created (names starting with DB_PREFIX)."""
        rows = self.admin.execute("select datname from pg_database where datname like %s", [DB_PREFIX + "%"])
        for (name,) in rows.fetchall():
            self.admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))

    def table_count(self, name: str) -> int:
        with psycopg.connect(self.db_url(name)) as conn:
            row = conn.execute(
                "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                "where c.relkind in ('r', 'p') and not c.relispartition "
                "and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')"
            ).fetchone()
        return int(row[0]) if row else 0


# -- scenarios -----------------------------------------------------------------------------------


@dataclass
class Row:
    scenario: str
    tables: int
    live: str
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    def seconds(self, key: str) -> float | None:
        r = self.results.get(key, {})
        return float(r["seconds"]) if r.get("status") == "ok" else None


def flatrender_script(bench: Bench, out: Path) -> Path:
    """FlatRender's desired state as one ordered SQL script: what build_shadow runs, in the order it worked.

    The roles the manifests declare are created in the cluster first (a bare-engine user must too).
    """
    from flatrender_schema import declare
    from flatrender_schema.desired import load_desired
    from flatrender_schema.shadow import DEPENDENCY_ERRORS

    desired = load_desired(REPO / "schema")
    for role in declare.declared_roles(desired):
        if not bench.admin.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone():
            bench.admin.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
    lines = ["set check_function_bodies = off;"]
    with psycopg.connect(bench.create(f"{DB_PREFIX}fr_script"), autocommit=True) as conn:
        conn.execute("set check_function_bodies = off")

        def run(stmt: str) -> None:
            conn.execute(stmt.encode())
            lines.append(stmt.rstrip().rstrip(";") + ";")

        for c in declare.preamble(desired):
            run(c.as_string(conn))
        pending = list(desired.statements)
        while pending:
            failed = []
            for s in pending:
                try:
                    run(s.sql)
                except DEPENDENCY_ERRORS:
                    failed.append(s)
            if len(failed) == len(pending):
                raise RuntimeError(f"FlatRender does not build: {failed[0].location}")
            pending = failed
        for c in declare.epilogue(desired, TODAY):
            run(c.as_string(conn))
        if desired.project is not None and desired.project.owner:
            for c in declare.ownership_statements(conn, desired.managed_schemas, desired.project.owner):
                run(c.as_string(conn))
        lines.append("reset check_function_bodies;")
    bench.admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(f"{DB_PREFIX}fr_script")))
    out.mkdir(parents=True, exist_ok=True)
    path = out / "to.sql"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def converge_flatrender(bench: Bench, name: str) -> str:
    from flatrender_schema.apply import apply_plan
    from flatrender_schema.desired import load_desired
    from flatrender_schema.engine import get_engine
    from flatrender_schema.planner import PlanOptions, build_plan
    from flatrender_schema.scratch import DevServer

    url = bench.create(name)
    desired = load_desired(REPO / "schema")
    with psycopg.connect(url, autocommit=True) as conn, DevServer(bench.url) as dev:
        apply_plan(conn, build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY)))
    return url


def measure(bench: Bench, row: Row, live_db: str, desired_db: str, source: dict[str, str],
            cli_args: list[str]) -> None:
    live, desired = bench.db_url(live_db), bench.db_url(desired_db)
    for inspector in ("upstream", "patched"):
        _say(f"  {row.scenario} / {row.live}: bare {inspector}")
        row.results[f"bare_{inspector}"] = bench.run("bare", {"live": live, "desired": desired,
                                                              "inspector": inspector})
    _say(f"  {row.scenario} / {row.live}: ours (lib)")
    row.results["ours_lib"] = bench.run("ours", {"live": live, "dev": bench.url, **source})
    _say(f"  {row.scenario} / {row.live}: ours (CLI)")
    row.results["ours_cli"] = bench.cli([*cli_args, "--database-url", live, "--dev-url", bench.url])
    _say(f"  {row.scenario} / {row.live}: ours (lib), shadow reused")
    row.results["ours_reuse"] = bench.run("ours", {"live": live, "dev": bench.url, "reuse": True, **source})
    _say(f"  {row.scenario} / {row.live}: ours (CLI), shadow reused")
    reuse_args = [*cli_args, "--database-url", live, "--dev-url", bench.url, "--reuse-shadow"]
    bench.cli(reuse_args)  # builds the cached shadow
    row.results["ours_cli_reuse"] = bench.cli(reuse_args)


def load_desired_db(bench: Bench, name: str, script: Path) -> dict[str, Any]:
    url = bench.create(name)
    result = bench.run("load", {"url": url, "script": str(script)})
    if result["status"] != "ok":
        raise RuntimeError(f"loading {script} failed: {result}")
    return result


def run_flatrender(bench: Bench) -> list[Row]:
    _say("FlatRender: writing the ordered script and loading it")
    script = flatrender_script(bench, bench.out / "flatrender")
    load = load_desired_db(bench, f"{DB_PREFIX}fr_desired", script)
    tables = bench.table_count(f"{DB_PREFIX}fr_desired")
    source = {"schema_dir": str(REPO / "schema")}
    cli_args = ["--schema-dir", str(REPO / "schema")]
    rows = []
    bench.create(f"{DB_PREFIX}fr_empty")
    row = Row("FlatRender schema/", tables, "empty", {"load": load})
    measure(bench, row, f"{DB_PREFIX}fr_empty", f"{DB_PREFIX}fr_desired", source, cli_args)
    rows.append(row)
    _say("FlatRender: converging a live database with apply")
    converge_flatrender(bench, f"{DB_PREFIX}fr_live")
    row = Row("FlatRender schema/", tables, "converged", {"load": load})
    measure(bench, row, f"{DB_PREFIX}fr_live", f"{DB_PREFIX}fr_desired", source, cli_args)
    rows.append(row)
    return rows


def prepare_synthetic(bench: Bench, size: int) -> tuple[Path, dict[str, Any]]:
    to_path, from_path = generate(size).write(bench.out / f"synthetic_{size}")
    load = load_desired_db(bench, f"{DB_PREFIX}s{size}_desired", to_path)
    bench.create(f"{DB_PREFIX}s{size}_converged", template=f"{DB_PREFIX}s{size}_desired")
    mutated = bench.create(f"{DB_PREFIX}s{size}_mutated")
    with psycopg.connect(mutated, autocommit=True) as conn:
        _run_script(conn, _statements(from_path))
    return to_path, load


def run_synthetic(bench: Bench, size: int, lives: tuple[str, ...] = ("converged", "mutated")) -> list[Row]:
    _say(f"synthetic {size}: generating and loading")
    to_path, load = prepare_synthetic(bench, size)
    tables = bench.table_count(f"{DB_PREFIX}s{size}_desired")
    source = {"desired_sql": str(to_path)}
    rows = []
    for live in lives:
        row = Row(f"synthetic {size}", tables, f"{live} (5% changed)" if live == "mutated" else live,
                  {"load": load})
        measure(bench, row, f"{DB_PREFIX}s{size}_{live}", f"{DB_PREFIX}s{size}_desired", source,
                ["--desired", str(to_path)])
        rows.append(row)
    return rows


# -- profile -------------------------------------------------------------------------------------


class PhaseTimer:
    """Inclusive wall time per call path, from wrappers installed around the planner's steps."""

    def __init__(self) -> None:
        self.local = threading.local()  # the planner reads live in a second thread
        self.totals: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    @property
    def stack(self) -> list[str]:
        if not hasattr(self.local, "stack"):
            name = threading.current_thread().name
            self.local.stack = [] if threading.current_thread() is threading.main_thread() else [f"[{name}]"]
        return self.local.stack  # type: ignore[no-any-return]

    @contextlib.contextmanager
    def phase(self, label: str) -> Iterator[None]:
        self.stack.append(label)
        key = " > ".join(self.stack)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.totals[key] = self.totals.get(key, 0.0) + time.perf_counter() - start
            self.calls[key] = self.calls.get(key, 0) + 1
            self.stack.pop()

    def wrap(self, obj: Any, attr: str, label: str | Callable[..., str]) -> None:
        original = getattr(obj, attr)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            name = label(*args, **kwargs) if callable(label) else label
            with self.phase(name):
                return original(*args, **kwargs)

        setattr(obj, attr, wrapper)


def _db_label(self: Any, purpose: str) -> str:
    return f"dev.database({purpose}) create+drop"


def _instrument(timer: PhaseTimer) -> None:
    from flatrender_schema import catalog, converge, copy_of_live, planner, scratch
    from flatrender_schema.engine import results_engine

    timer.wrap(planner, "build_shadow", "shadow build (desired DDL)")
    timer.wrap(catalog, "read_snapshot", "catalog.read_snapshot")
    timer.wrap(catalog, "compare", "catalog.compare")
    timer.wrap(planner, "_first_that_works", "converge (copies of live tried in order)")
    timer.wrap(planner, "converge", "converge on one copy (engine diff, gaps, verification)")
    timer.wrap(copy_of_live, "clone", "clone of live (reverse engine diff + apply)")
    timer.wrap(planner, "remembered", "cached shadow: stored snapshot")
    timer.wrap(copy_of_live, "remembered", "cached shadow: stored inspection")
    for module in (converge, copy_of_live):  # each imported run_gaps by name
        timer.wrap(module, "run_gaps", "gap layer")
    timer.wrap(converge, "execute", lambda conn, stmts, what: f"execute {what}s")
    timer.wrap(copy_of_live, "run_with_retries", "run_with_retries")
    timer.wrap(converge, "make_online", "make_online")
    timer.wrap(converge, "plan_order", "dependency order")
    timer.wrap(planner, "role_statements", "role_statements")
    timer.wrap(planner, "referenced_roles", "referenced_roles")
    timer.wrap(planner, "rename_statements", "rename_statements")
    timer.wrap(planner, "reference_statements", "reference_statements")
    timer.wrap(planner, "_step", "hazard classification (per step)")
    timer.wrap(results_engine.ResultsEngine, "diff_inspected", "engine diff (of two inspections)")
    timer.wrap(results_engine, "inspect", "engine inspect")
    timer.wrap(results_engine, "Migration", "engine Migration()")
    timer.wrap(results_engine, "correct_statements", "engine correct_statements")

    original_db = scratch.DevServer.database

    @contextlib.contextmanager
    def database(self: Any, purpose: str, template: str | None = None) -> Iterator[psycopg.Connection]:
        how = " from template" if template else ""
        with timer.phase(f"dev.database({purpose}){how} create"):
            cm = original_db(self, purpose, template)
            conn = cm.__enter__()
        try:
            yield conn
        finally:
            with timer.phase(f"dev.database({purpose}) drop"):
                cm.__exit__(None, None, None)

    scratch.DevServer.database = database  # type: ignore[method-assign]


_TIMER: list[PhaseTimer] = []


def _instrumented() -> PhaseTimer:
    """The phase timer, its wrappers installed once per process; totals reset on each call."""
    if not _TIMER:
        _TIMER.append(PhaseTimer())
        _instrument(_TIMER[0])
    timer = _TIMER[0]
    timer.totals.clear()
    timer.calls.clear()
    return timer


def _time_queries(url: str) -> dict[str, Any]:
    """Each catalog snapshot query and each inspector query, alone, on one database."""
    from results.schemainspect.pg.obj import PostgreSQL

    from flatrender_schema import catalog
    from flatrender_schema.engine.results_engine import _Inspector

    out: dict[str, Any] = {"catalog": {}, "inspector_patched": {}, "inspector_upstream": {}}
    with psycopg.connect(url, autocommit=True) as conn:
        with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
            for area, query in catalog.QUERIES.items():
                start = time.perf_counter()
                cur.execute(query, {"exclude": ["flatrender_schema"]})  # type: ignore[arg-type]
                rows = cur.fetchall()
                out["catalog"][area] = {"seconds": time.perf_counter() - start, "rows": len(rows)}
        start = time.perf_counter()
        catalog.read_snapshot(conn, ["flatrender_schema"])
        out["catalog_read_snapshot_total"] = time.perf_counter() - start

        def timed(base: type, key: str) -> type:
            class Timed(base):  # type: ignore[valid-type, misc]
                def execute(self, *args: Any, **kwargs: Any) -> Any:
                    name = next((k for k, v in vars(self).items()  # the queries are instance attributes
                                 if k.endswith("_QUERY") and args and v == args[0]), "other")
                    start = time.perf_counter()
                    try:
                        return super().execute(*args, **kwargs)
                    finally:
                        bucket = out[key].setdefault(name, {"seconds": 0.0, "calls": 0})
                        bucket["seconds"] += time.perf_counter() - start
                        bucket["calls"] += 1

            return Timed

        for base, key in ((_Inspector, "inspector_patched"), (PostgreSQL, "inspector_upstream")):
            with conn.cursor() as cur:
                start = time.perf_counter()
                timed(base, key)(cur)
                out[key]["(total)"] = {"seconds": time.perf_counter() - start, "calls": 1}
    return out


def experiments(bench: Bench, size: int) -> dict[str, Any]:
    """What-ifs behind the recommendations: template copies, and the inspector after ANALYZE."""
    from flatrender_schema.engine.results_engine import _Inspector

    out: dict[str, Any] = {}
    desired = f"{DB_PREFIX}s{size}_desired"
    for strategy in ("wal_log", "file_copy"):
        name = f"{DB_PREFIX}s{size}_tmpl_{strategy}"
        bench.admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        start = time.perf_counter()
        bench.admin.execute(sql.SQL("create database {} template {} strategy {}").format(
            sql.Identifier(name), sql.Identifier(desired), sql.SQL(strategy)))
        out[f"create_database_template_{strategy}"] = time.perf_counter() - start
        bench.admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))
    # A database built statement by statement, as the shadow and the scratch copy are.
    fresh = bench.create(f"{DB_PREFIX}s{size}_fresh")
    with psycopg.connect(fresh, autocommit=True) as conn:
        _run_script(conn, _statements(bench.out / f"synthetic_{size}" / "from.sql"))
        for label in ("inspect_fresh_build", "inspect_fresh_build_again", "analyze", "inspect_after_analyze"):
            start = time.perf_counter()
            if label == "analyze":
                conn.execute("analyze")
            else:
                with conn.cursor() as cur:
                    _Inspector(cur)
            out[label] = time.perf_counter() - start
    return out


def profile(bench: Bench, size: int, live_kind: str = "mutated") -> dict[str, Any]:
    """build_plan at `size` tables against `live`: phases, queries, cProfile, and with a reused shadow."""
    from flatrender_schema.desired import load_plain
    from flatrender_schema.engine import get_engine
    from flatrender_schema.planner import PlanOptions, build_plan
    from flatrender_schema.postgres.cluster import ephemeral
    from flatrender_schema.scratch import DevServer

    if not bench.admin.execute("select 1 from pg_database where datname = %s",
                               [f"{DB_PREFIX}s{size}_mutated"]).fetchone():
        prepare_synthetic(bench, size)
    to_path = bench.out / f"synthetic_{size}" / "to.sql"
    live_url = bench.db_url(f"{DB_PREFIX}s{size}_{live_kind}")
    report: dict[str, Any] = {"tables": size, "live": live_kind}
    if live_kind == "mutated":
        _say(f"profile {size}: per-query timings, what-ifs")
        report["queries"] = _time_queries(bench.db_url(f"{DB_PREFIX}s{size}_desired"))
        report["experiments"] = experiments(bench, size)

    timer = _instrumented()
    profiler = cProfile.Profile()
    _say(f"profile {size} ({live_kind}): build_plan under cProfile with phase timers")
    with psycopg.connect(live_url, autocommit=True) as live, DevServer(bench.url) as dev:
        start = time.perf_counter()
        with timer.phase("load_plain (pglast parse of to.sql)"):
            desired = load_plain([to_path])
        with timer.phase("build_plan"):
            profiler.enable()
            plan = build_plan(live, desired, dev, get_engine(), PlanOptions(TODAY))
            profiler.disable()
        report["total"] = time.perf_counter() - start
        report["steps"] = len(plan.steps)
    report["phases"] = {k: {"seconds": v, "calls": timer.calls[k]} for k, v in timer.totals.items()}
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    (bench.out / f"profile_{size}_{live_kind}.txt").write_text(text.getvalue(), encoding="utf-8")

    # The shadow reused (--reuse-shadow): the first plan builds the cached shadow, the second is timed.
    _say(f"profile {size} ({live_kind}): build_plan with the shadow database reused")
    timer = _instrumented()
    with psycopg.connect(live_url, autocommit=True) as live, DevServer(bench.url) as dev:
        options = PlanOptions(TODAY, reuse_shadow=True)
        build_plan(live, load_plain([to_path]), dev, get_engine(), options)
        timer = _instrumented()
        start = time.perf_counter()
        with timer.phase("build_plan (shadow reused)"):
            plan = build_plan(live, load_plain([to_path]), dev, get_engine(), options)
        report["shadow_reused_total"] = time.perf_counter() - start
        report["shadow_reused_steps"] = len(plan.steps)
    report["shadow_reused_phases"] = {k: {"seconds": v, "calls": timer.calls[k]} for k, v in timer.totals.items()}

    if live_kind == "mutated":
        _say("profile: starting and removing an ephemeral cluster (CLI without --dev-url pays this)")
        start = time.perf_counter()
        with ephemeral(bench.admin.info.server_version // 10000):
            report["ephemeral_cluster_up"] = time.perf_counter() - start
        report["ephemeral_cluster_up_down"] = time.perf_counter() - start
    return report


# -- report --------------------------------------------------------------------------------------


def _fmt(value: float | None, result: dict[str, Any] | None = None) -> str:
    if value is not None:
        return f"{value:.2f}"
    status = (result or {}).get("status", "n/a")
    return status


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a is not None and b else "–"


def _sum(*values: float | None) -> float | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def markdown(meta: dict[str, Any], rows: list[Row], profiles: list[dict[str, Any]]) -> str:
    out = [
        "# `schema plan` vs the bare engine",
        "",
        f"PostgreSQL {meta['postgres']}, Python {meta['python']}, {meta['cpus']} CPUs, "
        f"results {meta['results']}; one run each; per-measurement timeout {meta['timeout']:.0f} s; "
        f"{meta['date']}; load average {meta['loadavg_start'][0]:.1f} at start, "
        f"{meta.get('loadavg_end', [float('nan')])[0]:.1f} at end (a shared machine: expect noise).",
        "",
        "Seconds. *bare↑* = results' Migration with its own inspector, *bare✓* = with our patched "
        "inspector; *load* = executing the desired DDL into a fresh database; "
        "*ours lib* = load_desired + build_plan in-process; *ours CLI* = `python -m flatrender_schema plan` "
        "wall time (interpreter start and imports included); *reused* = the same with `--reuse-shadow`, "
        "measured on the second plan (the first builds the cached shadow). bare✓ runs with `jit = off`, "
        "as ours does.",
        "",
        "| scenario | tables | live | load | bare↑ | bare✓ | bare✓+load | ours lib | ours CLI "
        "| lib reused | CLI reused | lib/(bare✓+load) | CLI/(bare✓+load) | lib/(bare↑+load) "
        "| lib reused/bare✓ | steps |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        load, up, pa = r.seconds("load"), r.seconds("bare_upstream"), r.seconds("bare_patched")
        lib, cli = r.seconds("ours_lib"), r.seconds("ours_cli")
        reuse, cli_reuse = r.seconds("ours_reuse"), r.seconds("ours_cli_reuse")
        base, base_up = _sum(pa, load), _sum(up, load)
        steps = r.results.get("ours_lib", {}).get("steps", "–")
        out.append(
            f"| {r.scenario} | {r.tables} | {r.live} | {_fmt(load, r.results.get('load'))} "
            f"| {_fmt(up, r.results.get('bare_upstream'))} | {_fmt(pa, r.results.get('bare_patched'))} "
            f"| {_fmt(base)} | {_fmt(lib, r.results.get('ours_lib'))} | {_fmt(cli, r.results.get('ours_cli'))} "
            f"| {_fmt(reuse, r.results.get('ours_reuse'))} | {_fmt(cli_reuse, r.results.get('ours_cli_reuse'))} "
            f"| {_ratio(lib, base)} | {_ratio(cli, base)} | {_ratio(lib, base_up)} | {_ratio(reuse, pa)} "
            f"| {steps} |"
        )
    errors = [(r, k, v) for r in rows for k, v in r.results.items() if v.get("status") == "error"]
    if errors:
        out += ["", "Errors:", ""]
        out += [f"- {r.scenario} / {r.live} / {k}: {v.get('error')}" for r, k, v in errors]
    for prof in profiles:
        out += ["", f"## Profile: build_plan at {prof['tables']} tables, live {prof['live']} "
                f"({prof['steps']} steps)", "",
                f"Total {prof['total']:.2f} s (load_plain + build_plan, phase timers and cProfile on; "
                f"bench/out/profile_{prof['tables']}_{prof['live']}.txt). With the shadow database reused "
                f"(`--reuse-shadow`, second plan): {prof.get('shadow_reused_total', float('nan')):.2f} s "
                "(phase timers, no profiler)."]
        if "ephemeral_cluster_up_down" in prof:
            out.append(f"An ephemeral dev cluster (CLI without --dev-url) adds "
                       f"{prof['ephemeral_cluster_up_down']:.2f} s (start + remove).")
        reused = prof.get("shadow_reused_phases", {})
        for title, phases in (("", prof["phases"]), (" (shadow reused, no profiler)", reused)):
            out += ["", f"| phase (call path){title} | calls | seconds |", "|---|---:|---:|"]
            for key, v in sorted(phases.items()):
                out.append(f"| {key} | {v['calls']} | {v['seconds']:.2f} |")
        if "experiments" in prof:
            out += ["", "What-ifs (seconds):", "", "| experiment | seconds |", "|---|---:|"]
            out += [f"| {k} | {v:.2f} |" for k, v in prof["experiments"].items()]
        if "queries" not in prof:
            continue
        q = prof["queries"]
        out += ["", f"Catalog snapshot queries, one database ({q['catalog_read_snapshot_total']:.2f} s for "
                "read_snapshot including Python-side normalising):", "",
                "| area | rows | seconds |", "|---|---:|---:|"]
        for area, v in sorted(q["catalog"].items(), key=lambda kv: -kv[1]["seconds"]):
            out.append(f"| {area} | {v['rows']} | {v['seconds']:.3f} |")
        out += ["", "Inspector queries, one database (upstream vs patched):", "",
                "| query | upstream s | patched s |", "|---|---:|---:|"]
        names = sorted(set(q["inspector_upstream"]) | set(q["inspector_patched"]),
                       key=lambda n: -q["inspector_upstream"].get(n, {"seconds": 0})["seconds"])
        for n in names:
            up = q["inspector_upstream"].get(n, {}).get("seconds")
            pa = q["inspector_patched"].get(n, {}).get("seconds")
            out.append(f"| {n} | {_fmt(up)} | {_fmt(pa)} |")
    return "\n".join(out) + "\n"


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="500,2000", help="synthetic table counts (comma-separated)")
    parser.add_argument("--quick", action="store_true", help="FlatRender + 100 synthetic tables")
    parser.add_argument("--no-flatrender", action="store_true", help="skip the FlatRender scenarios")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per measurement")
    parser.add_argument("--pg-major", type=int, default=None,
                        help="server major (default: the oldest found, the floor the tests use)")
    parser.add_argument("--profile", type=int, default=None, metavar="N",
                        help="also profile build_plan at N synthetic tables (e.g. 2000)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    sizes = [100] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]  # "" = none

    from importlib.metadata import version as dist_version

    from flatrender_schema.postgres.cluster import ephemeral, find_servers

    major = args.pg_major or (find_servers()[0].major if find_servers() else None)
    rows: list[Row] = []
    profiles: list[dict[str, Any]] = []
    with ephemeral(major, strict=major is not None) as cluster:
        bench = Bench(cluster.url(), args.timeout, args.out)
        version = bench.admin.execute("show server_version").fetchone()
        meta = {"postgres": version[0] if version else "?", "python": platform.python_version(),
                "cpus": os.cpu_count(), "results": dist_version("results"), "timeout": args.timeout,
                "date": dt.datetime.now().isoformat(timespec="seconds"), "sizes": sizes,
                "loadavg_start": list(os.getloadavg())}
        if not args.no_flatrender and (REPO / "schema" / "schema.yaml").exists():
            rows += run_flatrender(bench)
        for size in sizes:
            rows += run_synthetic(bench, size)
        if args.profile:
            profiles += [profile(bench, args.profile, live) for live in ("mutated", "converged")]
        bench.admin.close()
    meta["loadavg_end"] = list(os.getloadavg())
    args.out.mkdir(parents=True, exist_ok=True)
    report = markdown(meta, rows, profiles)
    (args.out / "bench_plan.md").write_text(report, encoding="utf-8")
    (args.out / "bench_plan.json").write_text(
        json.dumps({"meta": meta, "rows": [asdict(r) for r in rows], "profiles": profiles}, indent=2, default=str),
        encoding="utf-8",
    )
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
