"""The judge's catalog snapshot at N tables, side by side with an earlier judge and with pg_dump.

    python bench/bench_snapshot.py [--tables 2000] [--runs 5] [--baseline-ref 796f439]

One ephemeral cluster; the synthetic schema (bench/synthetic.py, desired side) is loaded once. Each run
reads the whole snapshot with today's `catalog.read_snapshot`, with the judge as it was at
`--baseline-ref` (its catalog module taken from git and imported beside today's), and times
`pg_dump --schema-only` of the same database. Medians, and the ratios today/baseline and today/pg_dump.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from synthetic import generate  # noqa: E402

from flatrender_schema import catalog  # noqa: E402
from flatrender_schema.postgres.cluster import ephemeral  # noqa: E402

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


def median_seconds(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-ref", default="796f439")
    parser.add_argument("--major", type=int, default=15, help="server major (pg_dump of it must be installed)")
    args = parser.parse_args()
    baseline = baseline_catalog(args.baseline_ref)
    desired = generate(args.tables).to_sql
    with ephemeral(args.major, strict=True) as cluster:
        url = cluster.url()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("create database bench_snapshot")
        db_url = cluster.url("bench_snapshot")
        with psycopg.connect(db_url, autocommit=True) as conn:
            for statement in desired.split(";\n"):
                if statement.strip():
                    conn.execute(statement.encode())
            conn.execute("analyze")
            today = median_seconds(lambda: catalog.read_snapshot(conn, EXCLUDED), args.runs)
            rows = sum(len(r) for r in catalog.read_snapshot(conn, EXCLUDED).areas.values())
            before = (
                median_seconds(lambda: baseline.read_snapshot(conn, EXCLUDED), args.runs) if baseline else None
            )
        major = cluster.server.major
        pg_dump = next((str(p) for p in (Path(cluster.server.tool("pg_dump")),
                                         Path(f"/usr/lib/postgresql/{major}/bin/pg_dump")) if p.is_file()), "pg_dump")
        dump = median_seconds(
            lambda: subprocess.run([pg_dump, "--schema-only", "-d", db_url], capture_output=True, check=True),
            args.runs,
        )
    print(f"catalog snapshot, {args.tables} tables, PostgreSQL {major}, median of {args.runs}:")
    print(f"  today:      {today:.3f} s ({rows} rows)")
    if before is not None:
        print(f"  {args.baseline_ref}:    {before:.3f} s   today/baseline = {today / before:.2f}x")
    print(f"  pg_dump:    {dump:.3f} s   today/pg_dump = {today / dump:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
