"""Benchmark `schema pull` side by side with `pg_dump --schema-only` of the same database.

The database: bench/synthetic.py's deterministic schema of `--sizes` tables (default 2,000), loaded
once into an ephemeral cluster that is also the dev server. Per size, one run each (same machine):

- pg_dump: `pg_dump --schema-only -f dump.sql` (the server's own binary), wall time;
- pull (lib): `pull_tree(...)` in-process into an empty directory, plain layout, **proof included**
  (the written files built in a shadow database and judged against live), split into writing and proof;
- pull (CLI): wall time of `python -m flatrender_schema pull --out ... --database-url ... --dev-url ...`;
- re-pull (lib): `pull_tree` again into the same tree (unchanged: the tree's shadow, live's render, merge, proof).

The target is pull (lib) within 5x of pg_dump. "load DDL" (executing the synthetic `to.sql` into the
live database, statement by statement) is shown for scale: the proof must at least build that much DDL.
Output: bench/out/bench_pull.{json,md}; the Markdown is printed.
`python bench/bench_pull.py [--sizes 2000] [--pg-major 15] [--runs 3]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
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

from flatrender_schema.postgres.cluster import ephemeral, find_servers  # noqa: E402
from flatrender_schema.postgres.connect import connect, with_dbname  # noqa: E402
from flatrender_schema.pull import PullOptions, pull_tree  # noqa: E402
from flatrender_schema.scratch import DevServer  # noqa: E402

OUT = BENCH / "out"
TODAY = dt.date(2026, 11, 25)


def _load(conn: psycopg.Connection, script: Path) -> None:
    from pglast import parser

    text = script.read_text()
    for piece in parser.split(text, with_parser=False, only_slices=True):
        conn.execute(text[piece].encode())


def _pg_dump(bindir: Path, major: int) -> str:
    """The server's own pg_dump, else the distribution's of the same major (a wrapper bindir may lack it)."""
    for candidate in (bindir / "pg_dump", Path(f"/usr/lib/postgresql/{major}/bin/pg_dump")):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("pg_dump")
    if found is None:
        raise SystemExit(f"no pg_dump for PostgreSQL {major}: install the client binaries")
    return found


def oldest_major() -> int | None:
    """The floor the test suite uses; pg_dump of the distribution is usually of that major too."""
    servers = find_servers()
    return servers[0].major if servers else None


def measure(size: int, major: int | None, out_dir: Path, runs: int) -> dict[str, Any]:
    with ephemeral(major if major is not None else oldest_major()) as cluster, DevServer(cluster.url()) as dev:
        to_path, _ = generate(size).write(out_dir / f"synthetic_{size}")
        admin = connect(cluster.url(), autocommit=True)
        admin.execute(sql.SQL("create database {}").format(sql.Identifier("bench_pull_live")))
        live_url = with_dbname(cluster.url(), "bench_pull_live")
        live = connect(live_url, autocommit=True)
        start = time.perf_counter()
        _load(live, to_path)
        load_seconds = time.perf_counter() - start
        live.execute("analyze")
        tables = live.execute("select count(*) from pg_class where relkind = 'r' and relnamespace > 16384").fetchone()
        row: dict[str, Any] = {"size": size, "tables": tables[0] if tables else None, "pg": cluster.server.major,
                               "load_ddl": load_seconds}

        pg_dump = _pg_dump(cluster.server.bindir, cluster.server.major)
        with tempfile.TemporaryDirectory() as tmp:
            # pg_dump and the pull alternate, `runs` times: each pair's ratio is one same-run ratio
            # (the shared machine's load changes by the minute); the medians are reported.
            pairs: list[dict[str, Any]] = []
            for run in range(runs):
                load_before = os.getloadavg()[0]
                start = time.perf_counter()
                subprocess.run([pg_dump, *cluster.psql_args("bench_pull_live"), "--schema-only", "-f",
                                str(Path(tmp) / "dump.sql")], check=True)
                dump_seconds = time.perf_counter() - start

                phases: dict[str, float] = {}
                last = [time.perf_counter()]

                def progress(message: str, phases: dict[str, float] = phases, last: list[float] = last) -> None:
                    now = time.perf_counter()
                    phases[message] = now - last[0]
                    last[0] = now

                tree = Path(tmp) / f"tree{run}"
                start = last[0] = time.perf_counter()
                result = pull_tree(live, tree, dev, PullOptions(TODAY), progress)
                pull_seconds = time.perf_counter() - start
                proof_seconds = time.perf_counter() - last[0]
                pairs.append({"pg_dump": dump_seconds, "pull_lib": pull_seconds, "pull_proof": proof_seconds,
                              "pull_write": pull_seconds - proof_seconds, "ratio": pull_seconds / dump_seconds,
                              "proved": result.proved, "files": result.files,
                              "load": round((load_before + os.getloadavg()[0]) / 2, 1)})
            row["runs"] = pairs
            for key in ("pg_dump", "pull_lib", "pull_proof", "pull_write", "ratio", "load"):
                row[key] = statistics.median(p[key] for p in pairs)
            row["ratio_min"], row["ratio_max"] = min(p["ratio"] for p in pairs), max(p["ratio"] for p in pairs)
            row["proved"] = all(p["proved"] for p in pairs)
            row["files"] = pairs[-1]["files"]

            start = time.perf_counter()
            again = pull_tree(live, tree, dev, PullOptions(TODAY))
            row["repull_lib"] = time.perf_counter() - start
            row["repull_unchanged"] = again.changed == {} and again.proved

            cli_tree = Path(tmp) / "cli"
            env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SCHEMA_DEV_URL")}
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "flatrender_schema", "pull", "--out", str(cli_tree), "--database-url",
                 live_url, "--dev-url", cluster.url(), "--now", TODAY.isoformat()],
                capture_output=True, text=True, env=env, cwd=str(REPO), check=False,
            )
            row["pull_cli"] = time.perf_counter() - start
            row["cli_exit"] = done.returncode
        live.close()
        admin.close()
    row["ratio_cli"] = row["pull_cli"] / row["pg_dump"]
    return row


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| tables | PostgreSQL | load DDL | pg_dump --schema-only | pull (lib, proof incl.) | of which proof "
        "| ratio lib (median, min–max) | pull (CLI) | ratio CLI | re-pull (lib) | load avg | proved |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['tables']:,} | {r['pg']} | {r['load_ddl']:.2f} s | {r['pg_dump']:.2f} s | {r['pull_lib']:.2f} s "
            f"| {r['pull_proof']:.2f} s | **{r['ratio']:.1f}x** ({r['ratio_min']:.1f}–{r['ratio_max']:.1f}, "
            f"{len(r['runs'])} runs) | {r['pull_cli']:.2f} s | {r['ratio_cli']:.1f}x | {r['repull_lib']:.2f} s "
            f"| {r['load']:.1f} "
            f"| {'yes' if r['proved'] else 'NO'}{'' if r['repull_unchanged'] else ' (re-pull changed files)'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000")
    parser.add_argument("--pg-major", type=int, default=None)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--runs", type=int, default=3, help="pg_dump + pull pairs per size (medians reported)")
    args = parser.parse_args()
    major = args.pg_major if args.pg_major is not None else oldest_major()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-pull-"))
    try:
        rows = [measure(int(s), major, work, max(1, args.runs)) for s in args.sizes.split(",")]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    meta = {"date": dt.date.today().isoformat(), "machine": platform.platform(), "cpus": os.cpu_count()}
    (args.out / "bench_pull.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    text = markdown(rows)
    (args.out / "bench_pull.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
