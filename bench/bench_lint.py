"""Benchmark `schema lint` side by side with squawk (PyPI squawk-cli), same files, same machine.

For FlatRender's schema/ and for synthetic trees of 500, 1,000 and 2,000 tables (generated to a
temporary directory by bench/lint_synthetic.py, deterministic) it measures:

- lint (library): `run_lint` in-process, imports already paid;
- lint (process): `python -m flatrender_schema.lint --schema-dir DIR`, interpreter start included
  (what a pre-commit hook pays; target < 300 ms on FlatRender);
- squawk: `squawk FILE…` over the same SQL files (squawk checks migration safety, not FlatRender's
  rules, and reads no manifests: it is the bare-parser baseline).

Median of several runs each. `python bench/bench_lint.py [--runs N] [--sizes 500,1000,2000]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lint_synthetic import generate  # noqa: E402

from flatrender_schema.lint import LintOptions, run_lint  # noqa: E402


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up (file cache, imports)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _squawk() -> str | None:
    found = shutil.which("squawk") or shutil.which("squawk", path=str(Path(sys.executable).parent))
    return found


def _process(args: list[str]) -> Callable[[], object]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def run() -> object:
        return subprocess.run(args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              check=False)

    return run


def measure(label: str, schema_dir: Path, runs: int, squawk: str | None) -> dict[str, object]:
    files = sorted(str(p) for p in schema_dir.glob("*/*.sql"))
    report = run_lint(schema_dir, (), LintOptions())
    tables = sum(Path(f).read_text().count("CREATE TABLE") for f in files)
    lib = _median_ms(lambda: run_lint(schema_dir, (), LintOptions()), runs)
    proc = _median_ms(_process([sys.executable, "-m", "flatrender_schema.lint", "--schema-dir",
                                str(schema_dir)]), runs)
    sq = _median_ms(_process([squawk, *files]), runs) if squawk else float("nan")
    return {"label": label, "tables": tables, "files": len(files), "findings": len(report.findings),
            "lib": lib, "proc": proc, "squawk": sq}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="500,1000,2000")
    args = parser.parse_args()
    squawk = _squawk()
    version = subprocess.run([squawk, "--version"], capture_output=True, text=True).stdout.strip() \
        if squawk else "not installed (pip install squawk-cli)"
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus; {version}; median of {args.runs} runs")
    rows = []
    if (REPO / "schema" / "schema.yaml").exists():
        rows.append(measure("FlatRender schema/", REPO / "schema", args.runs, squawk))
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",") if s):
            tree = generate(Path(tmp) / f"synthetic_{size}", size)
            rows.append(measure(f"synthetic {size}", tree, max(3, args.runs // 2), squawk))
    head = f"{'tree':<20} {'tables':>6} {'files':>5} {'lint lib ms':>11} {'lint proc ms':>12} " \
           f"{'squawk ms':>9} {'proc/squawk':>11} {'lib us/table':>12}"
    print(head)
    print("-" * len(head))
    for r in rows:
        ratio = r["proc"] / r["squawk"] if r["squawk"] == r["squawk"] else float("nan")  # type: ignore[operator]
        per_table = r["lib"] * 1000 / max(1, r["tables"])  # type: ignore[operator]
        print(f"{r['label']:<20} {r['tables']:>6} {r['files']:>5} {r['lib']:>11.1f} {r['proc']:>12.1f} "
              f"{r['squawk']:>9.1f} {ratio:>10.2f}x {per_table:>12.0f}")
    dirty = [r["label"] for r in rows if r["findings"]]
    if dirty:
        print(f"note: findings in {', '.join(map(str, dirty))} (timings include reporting them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
