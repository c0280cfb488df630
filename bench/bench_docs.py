"""Benchmark `schema docs`: the time beyond the shadow build, at FlatRender and the synthetic 2,000 tables.

Per scenario, on one ephemeral cluster (the floor server unless --pg-major): the shadow build
(`build_shadow`, what `schema plan` pays too), once; then `--runs` times what docs add: reading the
catalog back (`read_built`: the areas docs show, over two connections), the model (`read_database`)
and `generate_docs` into an empty directory (Markdown, Mermaid, tbls JSON rendered while Graphviz
draws the SVGs in its own processes) — together the figure counted "beyond the shadow" — and again
with the docs already current (nothing drawn or written). Side by side, just before each run:
`pg_dump --schema-only` of the same shadow database, the bare cost of reading that schema out as
text; the machine is shared, so the ratio shows the load. Then each phase alone, once (Mermaid,
pages, JSON, DOT source, dot). The issue's target: docs for 2,000 tables within 5 s beyond the
shadow build. Output: bench/out/bench_docs.md (printed).
`python bench/bench_docs.py [--sizes 2000] [--runs 3] [--pg-major 15] [--no-svg]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
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

import psycopg  # noqa: E402
from synthetic import generate  # noqa: E402

from flatrender_schema.declare import declared_roles  # noqa: E402
from flatrender_schema.desired import Desired, load_desired, load_plain  # noqa: E402
from flatrender_schema.docs import markdown  # noqa: E402
from flatrender_schema.docs.dot import find_dot, render_svg  # noqa: E402
from flatrender_schema.docs.files import generate_docs, svg_files  # noqa: E402
from flatrender_schema.docs.model import read_database  # noqa: E402
from flatrender_schema.docs.source import DOCS_DATE, read_built  # noqa: E402
from flatrender_schema.docs.tbls import tbls_schema  # noqa: E402
from flatrender_schema.planner import ANALYZE_CATALOGS  # noqa: E402
from flatrender_schema.postgres.cluster import ephemeral, find_servers  # noqa: E402
from flatrender_schema.scratch import DevServer  # noqa: E402
from flatrender_schema.shadow import build_shadow  # noqa: E402

OUT = BENCH / "out"


def _cpu() -> float:
    """CPU seconds of this process and its finished children (dot); the server's are not counted."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _server_cpu(postmaster: int | None) -> float:
    """CPU seconds of the server so far: the live postgres processes and the backends the postmaster
    reaped (its children's time). 0 without /proc."""
    if postmaster is None:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")

    def fields(pid: str) -> list[str]:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    try:
        own = fields(str(postmaster))
    except OSError:
        return 0.0
    total = sum(int(v) for v in own[11:15])  # utime stime cutime cstime
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                f = fields(entry.name)
            except OSError:
                continue  # gone meanwhile: counted in the postmaster's children's time
            if f[1] == str(postmaster):
                total += int(f[11]) + int(f[12])
    return total / tick


def _once(conn: psycopg.Connection, url: str, desired: Desired, dot_path: str | None,
          pg_dump: Path, postmaster: int | None) -> dict[str, float]:
    """One measurement of what docs add to the built shadow, and pg_dump -s of it just before."""
    run: dict[str, float] = {}
    t = time.perf_counter()
    subprocess.run([str(pg_dump), "--schema-only", "--no-owner", "-d", url], check=True, capture_output=True)
    run["pg_dump"] = time.perf_counter() - t
    cpu, server, t = _cpu(), _server_cpu(postmaster), time.perf_counter()
    built = read_built(conn, url)
    run["read"] = time.perf_counter() - t
    t = time.perf_counter()
    db = read_database(built.snapshot, desired, column_order=built.column_order)
    run["model"] = time.perf_counter() - t
    out = Path(tempfile.mkdtemp(prefix="bench_docs_"))
    try:
        # What `schema docs` runs into an empty directory: render and write, dot drawing meanwhile.
        t = time.perf_counter()
        generate_docs(out, db, dot_path)
        run["generate"] = time.perf_counter() - t
        run["cpu"] = _cpu() - cpu
        run["server_cpu"] = _server_cpu(postmaster) - server
        # Again, the docs already current: nothing is drawn or written.
        t = time.perf_counter()
        generate_docs(out, db, dot_path)
        run["again"] = time.perf_counter() - t
        written = [p for p in out.rglob("*") if p.is_file()]
        run["bytes"], run["files"] = sum(p.stat().st_size for p in written), len(written)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    run["beyond"] = run["read"] + run["model"] + run["generate"]
    run["tables"] = len(db.tables)
    return run


def _phases(conn: psycopg.Connection, url: str, desired: Desired, dot_path: str | None) -> dict[str, float]:
    """Where the time goes, each phase alone (the SVGs drawn one after another, to time dot by itself)."""
    built = read_built(conn, url)
    db = read_database(built.snapshot, desired, column_order=built.column_order)
    phase: dict[str, float] = {}
    t = time.perf_counter()
    diagrams = [markdown.whole_diagram(db), *(markdown.section_diagram(db, s) for s in db.sections)]
    phase["mermaid"] = time.perf_counter() - t
    t = time.perf_counter()
    markdown.index_page(db, diagrams[0], True)
    for section, diagram in zip(db.sections, diagrams[1:], strict=True):
        markdown.section_page(db, section, diagram, None)
    phase["pages"] = time.perf_counter() - t
    t = time.perf_counter()
    tbls_schema(db)
    phase["json"] = time.perf_counter() - t
    t = time.perf_counter()
    svgs = svg_files(db)
    phase["dot_source"] = time.perf_counter() - t
    phase["dot"] = phase["dot_cpu"] = 0.0
    if dot_path is not None:
        cpu, t = _cpu(), time.perf_counter()
        for f in svgs:
            render_svg(f.dot_source or "", dot_path)
        phase["dot"], phase["dot_cpu"] = time.perf_counter() - t, _cpu() - cpu
    return phase


def measure(name: str, desired: Desired, dev: DevServer, pg_dump: Path, svg: bool, runs: int = 1,
            phases: bool = False, postmaster: int | None = None) -> dict[str, object]:
    """The shadow built once, then `runs` measurements of what docs add (medians, and the median of
    the per-run ratio to pg_dump -s, taken just before each: load shows in both)."""
    row: dict[str, object] = {"scenario": name}
    dot_path = find_dot() if svg else None
    with dev.roles(declared_roles(desired)), dev.database("bench_docs") as conn:
        t = time.perf_counter()
        build_shadow(conn, desired, DOCS_DATE)
        conn.execute(ANALYZE_CATALOGS)
        row["shadow"] = time.perf_counter() - t
        url = dev.url_for(conn.info.dbname)
        each = [_once(conn, url, desired, dot_path, pg_dump, postmaster) for _ in range(max(1, runs))]
        if phases:
            row.update(_phases(conn, url, desired, dot_path))
    for key in each[0]:
        row[key] = statistics.median(r[key] for r in each)
    row["ratio"] = statistics.median(r["beyond"] / r["pg_dump"] for r in each)
    row["runs"] = len(each)
    row["beyond_all"] = [round(r["beyond"], 2) for r in each]
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="2000", help="synthetic table counts (comma-separated)")
    parser.add_argument("--runs", type=int, default=3, help="measurements per scenario (medians reported)")
    parser.add_argument("--pg-major", type=int, default=None)
    parser.add_argument("--no-svg", action="store_true", help="do not draw SVGs (as without Graphviz)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    major = args.pg_major or (find_servers()[0].major if find_servers() else None)
    svg = not args.no_svg and find_dot() is not None
    rows = []
    load_before = os.getloadavg()[0]
    with ephemeral(major, strict=major is not None) as cluster, DevServer(cluster.url()) as dev:
        # the server's own pg_dump (a bindir on PATH may hold only symlinks to the server programs)
        pg_dump = (cluster.server.bindir / "postgres").resolve().parent / "pg_dump"
        version = dev._admin.execute("show server_version").fetchone()
        postmaster = int((cluster.datadir / "postmaster.pid").read_text().split()[0])
        how = {"svg": svg, "runs": args.runs, "phases": True, "postmaster": postmaster}
        rows.append(measure("FlatRender", load_desired(REPO / "schema"), dev, pg_dump, **how))
        for size in (int(s) for s in args.sizes.split(",") if s.strip()):
            work = Path(tempfile.mkdtemp(prefix="bench_docs_sql_"))
            try:
                to_path, _ = generate(size).write(work)
                rows.append(measure(f"synthetic {size}", load_plain([to_path]), dev, pg_dump, **how))
            finally:
                shutil.rmtree(work, ignore_errors=True)
    lines = [
        f"# bench_docs — {dt.date.today()}, PostgreSQL {version[0] if version else '?'}, {os.cpu_count()} cores, "
        f"SVG {'drawn (Graphviz)' if svg else 'not drawn'}, load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after",
        "",
        "| scenario | tables | files | shadow build | read back | model | render+write (dot meanwhile) "
        "| **beyond the shadow** | each run | CPU: Python+dot, server | again, docs current | pg_dump -s "
        "| beyond / pg_dump |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scenario']} | {r['tables']:.0f} | {r['files']:.0f} | {r['shadow']:.2f} | {r['read']:.2f} | "
            f"{r['model']:.2f} | {r['generate']:.2f} | **{r['beyond']:.2f}** | {r['beyond_all']} | "
            f"{r['cpu']:.2f} + {r['server_cpu']:.2f} | "
            f"{r['again']:.2f} | {r['pg_dump']:.2f} | {r['ratio']:.2f}× |"
        )
    lines += [
        "",
        "Phases alone (one run; dot's SVGs one after another here, `schema docs` runs them beside the pages):",
        "",
        "| scenario | Mermaid | pages | tbls JSON | DOT source | dot (wall) | dot (CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['scenario']} | {r['mermaid']:.2f} | {r['pages']:.2f} | {r['json']:.2f} | "
                     f"{r['dot_source']:.2f} | {r['dot']:.2f} | {r['dot_cpu']:.2f} |")
    lines += ["", f"Seconds, medians of {args.runs} run(s) on one shadow build per scenario. CPU: this process "
              "and dot, and the server (its processes, from /proc), beyond the shadow. Target: docs for 2,000 tables "
              "within 5 s beyond the shadow build."]
    report = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench_docs.md").write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
