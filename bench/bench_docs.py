"""Benchmark `schema docs`: the time beyond the shadow build, at FlatRender and the synthetic 2,000 tables.

Per scenario, on one ephemeral cluster (the floor server unless --pg-major): the shadow build
(`build_shadow`, what `schema plan` pays too), then what docs add — reading the snapshot back
(`read_built`), the model (`read_database`), rendering every file (`doc_files`: Markdown, Mermaid,
DOT, tbls JSON) and writing them with the SVGs drawn by Graphviz (`write_docs`, from an empty
directory), then both as `schema docs` runs them (`generate_docs`: dot draws while Python renders),
which is the figure counted "beyond the shadow" with read back and model. Side by side:
`pg_dump --schema-only` of the same shadow database, the bare cost of reading that schema out as
text. The issue's target: docs for 2,000 tables within 5 s beyond the shadow build.
Output: bench/out/bench_docs.md (printed).
`python bench/bench_docs.py [--sizes 2000] [--pg-major 15] [--no-svg]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for _p in (str(REPO), str(BENCH)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from synthetic import generate  # noqa: E402

from flatrender_schema.declare import declared_roles  # noqa: E402
from flatrender_schema.desired import Desired, load_desired, load_plain  # noqa: E402
from flatrender_schema.docs.dot import find_dot  # noqa: E402
from flatrender_schema.docs.files import doc_files, generate_docs, write_docs  # noqa: E402
from flatrender_schema.docs.model import read_database  # noqa: E402
from flatrender_schema.docs.source import DOCS_DATE, read_built  # noqa: E402
from flatrender_schema.planner import ANALYZE_CATALOGS  # noqa: E402
from flatrender_schema.postgres.cluster import ephemeral, find_servers  # noqa: E402
from flatrender_schema.scratch import DevServer  # noqa: E402
from flatrender_schema.shadow import build_shadow  # noqa: E402

OUT = BENCH / "out"


def measure(name: str, desired: Desired, dev: DevServer, pg_dump: Path, svg: bool) -> dict[str, object]:
    row: dict[str, object] = {"scenario": name}
    with dev.roles(declared_roles(desired)), dev.database("bench_docs") as conn:
        t = time.perf_counter()
        build_shadow(conn, desired, DOCS_DATE)
        conn.execute(ANALYZE_CATALOGS)
        row["shadow"] = time.perf_counter() - t
        t = time.perf_counter()
        built = read_built(conn, dev.url_for(conn.info.dbname))
        row["read"] = time.perf_counter() - t
        t = time.perf_counter()
        subprocess.run([str(pg_dump), "--schema-only", "--no-owner", "-d", dev.url_for(conn.info.dbname)],
                       check=True, capture_output=True)
        row["pg_dump"] = time.perf_counter() - t
    t = time.perf_counter()
    db = read_database(built.snapshot, desired, column_order=built.column_order)
    row["model"] = time.perf_counter() - t
    t = time.perf_counter()
    files = doc_files(db)
    row["render"] = time.perf_counter() - t
    out = Path(tempfile.mkdtemp(prefix="bench_docs_"))
    try:
        t = time.perf_counter()
        write_docs(out, files, find_dot() if svg else None)
        row["write"] = time.perf_counter() - t
        row["bytes"] = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        shutil.rmtree(out)
        # What `schema docs` runs: render and write, the SVGs drawn by dot while Python renders the pages.
        t = time.perf_counter()
        generate_docs(out, db, find_dot() if svg else None)
        row["generate"] = time.perf_counter() - t
    finally:
        shutil.rmtree(out, ignore_errors=True)
    row["tables"] = len(db.tables)
    row["files"] = len(files)
    row["beyond"] = sum(float(row[k]) for k in ("read", "model", "generate"))  # type: ignore[arg-type]
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="2000", help="synthetic table counts (comma-separated)")
    parser.add_argument("--pg-major", type=int, default=None)
    parser.add_argument("--no-svg", action="store_true", help="do not draw SVGs (as without Graphviz)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    major = args.pg_major or (find_servers()[0].major if find_servers() else None)
    svg = not args.no_svg and find_dot() is not None
    rows = []
    with ephemeral(major, strict=major is not None) as cluster, DevServer(cluster.url()) as dev:
        # the server's own pg_dump (a bindir on PATH may hold only symlinks to the server programs)
        pg_dump = (cluster.server.bindir / "postgres").resolve().parent / "pg_dump"
        version = dev._admin.execute("show server_version").fetchone()
        rows.append(measure("FlatRender", load_desired(REPO / "schema"), dev, pg_dump, svg))
        for size in (int(s) for s in args.sizes.split(",") if s.strip()):
            work = Path(tempfile.mkdtemp(prefix="bench_docs_sql_"))
            try:
                to_path, _ = generate(size).write(work)
                rows.append(measure(f"synthetic {size}", load_plain([to_path]), dev, pg_dump, svg))
            finally:
                shutil.rmtree(work, ignore_errors=True)
    lines = [
        f"# bench_docs — {dt.date.today()}, PostgreSQL {version[0] if version else '?'}, {os.cpu_count()} cores, "
        f"SVG {'drawn (Graphviz)' if svg else 'not drawn'}, load average {os.getloadavg()[0]:.1f}",
        "",
        "| scenario | tables | files | shadow build | read back | model | render | write (+SVG) | render+write "
        "overlapped | **beyond the shadow** | pg_dump -s | beyond / pg_dump |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scenario']} | {r['tables']} | {r['files']} | {r['shadow']:.2f} | {r['read']:.2f} | "
            f"{r['model']:.2f} | {r['render']:.2f} | {r['write']:.2f} | {r['generate']:.2f} | **{r['beyond']:.2f}** | "
            f"{r['pg_dump']:.2f} | {float(r['beyond']) / float(r['pg_dump']):.1f}× |"  # type: ignore[arg-type]
        )
    lines += ["", "Seconds, one run each. Target: docs for 2,000 tables within 5 s beyond the shadow build."]
    report = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench_docs.md").write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
