"""The judge's catalog snapshot at N tables, side by side with an earlier judge and with pg_dump.

    python bench/bench_snapshot.py [--tables 2000] [--runs 9] [--baseline-ref 796f439] [--per-area]

One ephemeral cluster; the synthetic schema (bench/synthetic.py, desired side) is loaded once. Each run
reads the whole snapshot with today's `catalog.read_snapshot`, with the judge as it was at
`--baseline-ref` (its catalog module taken from git and imported beside today's), and times
`pg_dump --schema-only` of the same database; the three take turns within a run, so a change of load
on the (shared) machine weighs on all of them. Medians, and the ratios today/baseline and today/pg_dump.

The judges are timed on two connections: one made as the tool makes its own (`postgres.connect`,
which turns JIT off: catalog queries look expensive to the planner, which then compiles them for
longer than they run), and a plain one with the server's JIT left on (how the earlier numbers in
bench/README.md were taken). `--per-area` adds each area's query (server and transfer) and its row
conversion in Python, today's beside the baseline's query, on the tool's connection.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from synthetic import generate  # noqa: E402

from flatrender_schema import catalog  # noqa: E402
from flatrender_schema.postgres.cluster import ephemeral  # noqa: E402
from flatrender_schema.postgres.connect import connect  # noqa: E402

EXCLUDED = ["flatrender_schema"]


def baseline_catalog(ref: str) -> ModuleType | None:
    """The judge's module as it was at `ref` (a single file then), imported under another name."""
    try:
        source = subprocess.run(
            ["git", "-C", str(REPO), "show", f"{ref}:flatrender_schema/catalog.py"],
            capture_output=True, text=True, check=True,
        ).stdout
    except subprocess.CalledProcessError:
        return None
    path = Path(tempfile.mkdtemp()) / "baseline_catalog.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("baseline_catalog", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def per_area(conn: psycopg.Connection, baseline: ModuleType | None, runs: int) -> list[str]:
    """Per area: today's query and conversion, the baseline's query (its conversion is inline)."""
    params = {"exclude": EXCLUDED}
    query_ms: dict[str, list[float]] = {}
    convert_ms: dict[str, list[float]] = {}
    base_ms: dict[str, list[float]] = {}
    rows: dict[str, int] = {}
    for _ in range(runs):
        for name, area in catalog.AREAS.items():
            with conn.cursor() as cur:
                start = time.perf_counter()
                cur.execute(area.query, params)  # type: ignore[arg-type]
                records = cur.fetchall()
                fetched = time.perf_counter()
                converted = catalog._converted(area, cur.description or [], records)
                sorted(converted, key=catalog._frozen)
                done = time.perf_counter()
            query_ms.setdefault(name, []).append(fetched - start)
            convert_ms.setdefault(name, []).append(done - fetched)
            rows[name] = len(records)
        for name, query in (baseline.QUERIES.items() if baseline else ()):
            start = time.perf_counter()
            conn.execute(query, params).fetchall()  # type: ignore[arg-type]
            base_ms.setdefault(name, []).append(time.perf_counter() - start)
    lines = ["| area | rows | today: query ms | today: Python ms | baseline: query ms |", "|---|---:|---:|---:|---:|"]
    for name in sorted(query_ms, key=lambda n: -_median_ms(query_ms[n]) - _median_ms(convert_ms[n])):
        base = f"{_median_ms(base_ms[name]):.1f}" if name in base_ms else "(new)"
        query, convert = _median_ms(query_ms[name]), _median_ms(convert_ms[name])
        lines.append(f"| {name} | {rows[name]} | {query:.1f} | {convert:.1f} | {base} |")
    total_base = sum(_median_ms(t) for t in base_ms.values())
    lines.append(f"| all ({len(query_ms)} today, {len(base_ms)} baseline) | {sum(rows.values())} | "
                 f"{sum(_median_ms(t) for t in query_ms.values()):.1f} | "
                 f"{sum(_median_ms(t) for t in convert_ms.values()):.1f} | {total_base:.1f} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--baseline-ref", default="796f439")
    parser.add_argument("--major", type=int, default=15, help="server major (pg_dump of it must be installed)")
    parser.add_argument("--per-area", action="store_true", help="each area's query and conversion times too")
    args = parser.parse_args()
    baseline = baseline_catalog(args.baseline_ref)
    desired = generate(args.tables).to_sql
    load_start = os.getloadavg()
    times: dict[str, list[float]] = {}

    def timed(label: str, fn: Callable[[], object]) -> None:
        start = time.perf_counter()
        fn()
        times.setdefault(label, []).append(time.perf_counter() - start)

    with ephemeral(args.major, strict=True) as cluster:
        url = cluster.url()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("create database bench_snapshot")
        db_url = cluster.url("bench_snapshot")
        major = cluster.server.major
        pg_dump = next((str(p) for p in (Path(cluster.server.tool("pg_dump")),
                                         Path(f"/usr/lib/postgresql/{major}/bin/pg_dump")) if p.is_file()), "pg_dump")
        with psycopg.connect(db_url, autocommit=True) as jit_on, connect(db_url, autocommit=True) as tool:
            for statement in desired.split(";\n"):
                if statement.strip():
                    tool.execute(statement.encode())
            tool.execute("analyze")
            rows = sum(len(r) for r in catalog.read_snapshot(tool, EXCLUDED).areas.values())
            for _ in range(args.runs):
                for conn, how in ((tool, "tool"), (jit_on, "jit")):
                    timed(f"today {how}", lambda c=conn: catalog.read_snapshot(c, EXCLUDED))
                    if baseline:
                        timed(f"baseline {how}", lambda c=conn: baseline.read_snapshot(c, EXCLUDED))
                timed("pg_dump", lambda: subprocess.run([pg_dump, "--schema-only", "-d", db_url],
                                                       capture_output=True, check=True))
            areas = per_area(tool, baseline, args.runs) if args.per_area else []
    load_end = os.getloadavg()
    med = {label: statistics.median(t) for label, t in times.items()}
    print(f"catalog snapshot, {args.tables} tables ({rows} rows today), PostgreSQL {major}, median of {args.runs}, "
          f"load average {load_start[0]:.1f} -> {load_end[0]:.1f}:")
    for how, title in (("tool", "the tool's connection (JIT off)"), ("jit", "a plain connection, server JIT on")):
        line = f"  {title:34} today {med[f'today {how}']:.3f} s"
        if baseline:
            line += (f", {args.baseline_ref} {med[f'baseline {how}']:.3f} s, "
                     f"today/baseline = {med[f'today {how}'] / med[f'baseline {how}']:.2f}x")
        print(line + f", today/pg_dump = {med[f'today {how}'] / med['pg_dump']:.2f}x")
    print(f"  pg_dump --schema-only              {med['pg_dump']:.3f} s")
    if areas:
        print("\nper area (median of each, the tool's connection):")
        print("\n".join(areas))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
