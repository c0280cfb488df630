"""Benchmark `schema lint` side by side with squawk (PyPI squawk-cli), same files, same machine.

For FlatRender's schema/ and for synthetic trees of 500, 1,000 and 2,000 tables (generated to a
temporary directory by bench/lint_synthetic.py, deterministic) it measures:

- python: `python -c pass`, the interpreter's own start (site-packages included), for scale;
- imports: `python -c "import pglast.parser, pglast.ast, yaml, dataclasses"`, what the lint cannot do
  without (the parser with its AST classes and enums, the YAML reader, the dataclasses) - the floor
  under the process time;
- lint (library): `run_lint` in-process, imports already paid;
- lint (process): `python -m flatrender_schema lint --schema-dir DIR` — what `schema lint` and the
  pre-commit hook run, interpreter start included. Targets (issue 17): 150 ms on FlatRender, 2 s on
  2,000 tables;
- squawk: `squawk FILE…` over the same SQL files (PyPI squawk-cli; squawk checks migration safety, not
  FlatRender's rules, and reads no manifests: it is the bare-parser baseline).

Medians of several runs each; ratios are lint (process) / squawk. Wall time on a shared machine moves
with its load: the CPU time of the lint process is reported beside it (user + system), and the load
average at the start and the end of the run.

The processes are started, timed and measured by a small helper process (this script with
`--spawn`), not by the benchmark itself: a child forked from a process holding the lint's modules and
trees was measured 20-30 ms slower (CPU) on FlatRender than the same child forked from a small one.

The processes run with Python's bytecode cache on, as for a user (pip compiles an installed package):
an environment with PYTHONDONTWRITEBYTECODE set would otherwise compile every module of the package
from source on every run (about 100 ms more here). There is no result or parse cache: every run is cold.
With `--against DIR` (another checkout of the repository, e.g. `git worktree add /tmp/base main`),
the same lint process of that checkout runs too, over the same trees, alternating run by run with
this one so that both meet the same load: its CPU median and the ratio this/that are two more
columns. On a shared machine that ratio is the steadiest number the benchmark gives.
`python bench/bench_lint.py [--runs N] [--sizes 500,1000,2000] [--against DIR] [--out bench/out]`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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

IMPORTS = "import pglast.parser, pglast.ast, yaml, dataclasses"
TARGETS_MS = {"FlatRender schema/": 150.0, "synthetic 2000": 2000.0}


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    return _medians_ms(fn, runs)[0]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _medians_ms(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(wall, CPU of child processes) medians in ms."""
    fn()  # warm-up (file cache, imports)
    walls, cpus = [], []
    for _ in range(runs):
        cpu, start = _children_cpu(), time.perf_counter()
        fn()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((_children_cpu() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def _squawk() -> str | None:
    found = shutil.which("squawk") or shutil.which("squawk", path=str(Path(sys.executable).parent))
    return found


def _process(args: list[str], root: Path = REPO) -> Callable[[], object]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(root)

    def run() -> object:
        return subprocess.run(args, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              check=False)

    return run


def _interleaved_medians_ms(commands: list[tuple[list[str], Path]], runs: int) -> list[tuple[float, float]]:
    """(wall, CPU) medians of each command, their runs alternating (after one warm-up each)."""
    procs = [_process(args, root) for args, root in commands]
    for proc in procs:
        proc()
    walls: list[list[float]] = [[] for _ in procs]
    cpus: list[list[float]] = [[] for _ in procs]
    for _ in range(runs):
        for i, proc in enumerate(procs):
            cpu, start = _children_cpu(), time.perf_counter()
            proc()
            walls[i].append((time.perf_counter() - start) * 1000)
            cpus[i].append((_children_cpu() - cpu) * 1000)
    return [(statistics.median(w), statistics.median(c)) for w, c in zip(walls, cpus, strict=True)]


def _spawned(commands: list[tuple[list[str], Path]], runs: int) -> list[tuple[float, float]]:
    """`_interleaved_medians_ms`, measured by a fresh helper (see the docstring)."""
    spec = json.dumps([[args, str(root)] for args, root in commands])
    done = subprocess.run([sys.executable, __file__, "--spawn", str(runs), spec], capture_output=True, text=True,
                          check=True)
    return [(float(w), float(c)) for w, c in json.loads(done.stdout)]


def _spawned_medians_ms(args: list[str], runs: int) -> tuple[float, float]:
    return _spawned([(args, REPO)], runs)[0]


def _spawn(runs: int, spec: str) -> int:
    commands = [(list(args), Path(root)) for args, root in json.loads(spec)]
    print(json.dumps(_interleaved_medians_ms(commands, runs)))
    return 0


def measure(label: str, schema_dir: Path, runs: int, squawk: str | None,
            against: Path | None = None) -> dict[str, object]:
    from flatrender_schema.lint import LintOptions, run_lint

    files = sorted(str(p) for p in schema_dir.glob("*/*.sql"))
    report = run_lint(schema_dir, (), LintOptions())
    tables = sum(Path(f).read_text().count("CREATE TABLE") for f in files)
    lib = _median_ms(lambda: run_lint(schema_dir, (), LintOptions()), runs)
    lint = [sys.executable, "-m", "flatrender_schema", "lint", "--schema-dir", str(schema_dir)]
    timed = _spawned([(lint, REPO)] + ([(lint, against)] if against else []), runs)
    (proc, proc_cpu), other_cpu = timed[0], (timed[1][1] if against else float("nan"))
    sq = _spawned_medians_ms([squawk, *files], runs)[0] if squawk else float("nan")
    return {"label": label, "tables": tables, "files": len(files), "findings": len(report.findings),
            "lib": lib, "proc": proc, "proc_cpu": proc_cpu, "squawk": sq, "against_cpu": other_cpu}


def main() -> int:
    if sys.argv[1:2] == ["--spawn"]:  # the helper: `--spawn RUNS '[[ARGS, ROOT], ...]'`
        return _spawn(int(sys.argv[2]), sys.argv[3])
    from lint_synthetic import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="500,1000,2000")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--against", type=Path, help="another checkout: its lint process, interleaved")
    args = parser.parse_args()
    against = args.against.resolve() if args.against else None
    squawk = _squawk()
    version = subprocess.run([squawk, "--version"], capture_output=True, text=True).stdout.strip() \
        if squawk else "not installed (pip install squawk-cli)"
    load = os.getloadavg()[0]
    python_ms, python_cpu = _spawned_medians_ms([sys.executable, "-c", "pass"], args.runs)
    floor_ms, floor_cpu = _spawned_medians_ms([sys.executable, "-c", IMPORTS], args.runs)
    lines: list[str] = []
    rows = []
    if (REPO / "schema" / "schema.yaml").exists():
        rows.append(measure("FlatRender schema/", REPO / "schema", args.runs, squawk, against))
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",") if s):
            tree = generate(Path(tmp) / f"synthetic_{size}", size)
            rows.append(measure(f"synthetic {size}", tree, max(3, args.runs // 2), squawk, against))
    extra, rule = (" against CPU ms | CPU/against |", "---:|---:|") if against else ("", "")
    lines += ["| tree | tables | files | lint lib ms | lint process ms | process CPU ms | target ms | squawk ms "
              "| process/squawk |" + extra, "|---|---:|---:|---:|---:|---:|---:|---:|---:|" + rule]
    for r in rows:
        ratio = r["proc"] / r["squawk"] if r["squawk"] == r["squawk"] else float("nan")  # type: ignore[operator]
        target = TARGETS_MS.get(str(r["label"]))
        cells = (f" {r['against_cpu']:.0f} | {r['proc_cpu'] / r['against_cpu']:.2f}x |"  # type: ignore[operator]
                 if against else "")
        lines.append(f"| {r['label']} | {r['tables']} | {r['files']} | {r['lib']:.0f} | {r['proc']:.0f} "
                     f"| {r['proc_cpu']:.0f} | {f'{target:.0f}' if target else '-'} | {r['squawk']:.1f} "
                     f"| {ratio:.0f}x |" + cells)
    dirty = [r["label"] for r in rows if r["findings"]]
    if dirty:
        lines.append(f"\nnote: findings in {', '.join(map(str, dirty))} (timings include reporting them)")
    lines = [f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load {load:.1f} at the start and "
             f"{os.getloadavg()[0]:.1f} at the end; {version}; median of {args.runs} runs (synthetic trees: "
             f"{max(3, args.runs // 2)}); `python -c pass` {python_ms:.0f} ms ({python_cpu:.0f} ms CPU); "
             f"imports floor ({IMPORTS.removeprefix('import ')}) {floor_ms:.0f} ms ({floor_cpu:.0f} ms CPU)"
             + (f"; against {against}" if against else ""),
             "", *lines]
    report = "\n".join(lines)
    print(report)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench_lint.md").write_text(report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
