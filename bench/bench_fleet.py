"""Benchmark `schema plan --targets`: planning a fleet of N FlatRender databases against planning one.

Two ephemeral clusters hold the targets (half on each); the first is also the dev server. Per
scenario, timed in-process (library) and as the CLI (wall time, interpreter start included):

- one: `build_plan` for one target, as `schema plan` makes it (shadow built, live read, verified);
- fleet: `plan_fleet` over all N targets (one shadow for the run, targets read 4 at a time, plans
  shared by targets with the same plan inputs);
- fleet, each planned: the same with `share_plans=False` (every target planned on its own copy of the
  one shadow), to show what sharing buys.

Scenarios: every target empty (a first deployment), every target converged, and every target
converged but drifted in its own way (a column added to a different table on each: no two plans
alike, nothing to share). The ratio fleet/one is the issue's target (<= 3x).
Output: bench/out/bench_fleet.{json,md}; the Markdown is printed.
`python bench/bench_fleet.py [--targets 20] [--desired DIR] [--no-cli] [--out DIR] [--server-url URL ...]`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from flatrender_schema.desired import Desired, load_desired, load_plain  # noqa: E402
from flatrender_schema.engine import get_engine  # noqa: E402
from flatrender_schema.errors import Location  # noqa: E402
from flatrender_schema.fleet.manifest import Fleet, Target  # noqa: E402
from flatrender_schema.fleet.planning import FleetOptions, plan_fleet  # noqa: E402
from flatrender_schema.fleet.rollout import apply_fleet  # noqa: E402
from flatrender_schema.planner import PlanOptions, build_plan  # noqa: E402
from flatrender_schema.postgres.cluster import ephemeral, find_servers  # noqa: E402
from flatrender_schema.postgres.connect import with_dbname  # noqa: E402
from flatrender_schema.scratch import DevServer  # noqa: E402

TODAY = dt.date(2026, 11, 25)
OUT = Path(__file__).resolve().parent / "out"


@dataclass
class Row:
    scenario: str
    targets: int
    one_lib: float
    fleet_lib: float
    each_lib: float
    one_cli: float | None
    fleet_cli: float | None
    distinct_plans: int

    @property
    def ratio(self) -> float:
        return self.fleet_lib / self.one_lib

    @property
    def ratio_cli(self) -> float | None:
        return self.fleet_cli / self.one_cli if self.fleet_cli and self.one_cli else None


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


class Bench:
    def __init__(
        self, servers: list[str], n: int, desired_args: list[str], desired: Desired, cli: bool, out: Path
    ) -> None:
        self.servers = servers
        self.dev_url = servers[0]
        self.desired, self.desired_args, self.cli = desired, desired_args, cli
        self.urls: dict[str, str] = {}
        for i in range(n):
            server = servers[i % len(servers)]
            name = f"bench_fleet_{i}"
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f"drop database if exists {name} with (force)")
                admin.execute(f"create database {name}")
            self.urls[f"t{i}"] = with_dbname(server, name)
        self.env = {f"BENCH_FLEET_T{i}": url for i, url in enumerate(self.urls.values())}
        self.fleet = Fleet(Path("targets.yaml"), tuple(
            Target(name, f"BENCH_FLEET_T{i}", None, (), None, Location("targets.yaml"))
            for i, name in enumerate(self.urls)))
        self.targets_file = out / "bench_targets.yaml"
        lines = ["version: 1", "targets:"]
        for i, name in enumerate(self.urls):
            lines += [f"  {name}:", f"    url_env: BENCH_FLEET_T{i}"]
        self.targets_file.write_text("\n".join(lines) + "\n")
        self.one_file = out / "bench_targets_one.yaml"
        self.one_file.write_text("\n".join(lines[:4]) + "\n")

    def options(self, share: bool = True) -> FleetOptions:
        return FleetOptions(TODAY, 4, self.dev_url, share_plans=share)

    def one_lib(self) -> float:
        def plan() -> object:
            with psycopg.connect(self.urls["t0"], autocommit=True) as live, DevServer(self.dev_url) as dev:
                return build_plan(live, self.desired, dev, get_engine(), PlanOptions(TODAY))

        return _timed(plan)[0]

    def fleet_lib(self, share: bool = True) -> tuple[float, int]:
        seconds, result = _timed(lambda: plan_fleet(self.fleet, self.desired, get_engine(), self.options(share),
                                                     environ=self.env))
        assert not result.failed, [r.error for r in result.failed]  # type: ignore[attr-defined]
        return seconds, len(result.groups())  # type: ignore[attr-defined]

    def cli_run(self, targets_file: Path) -> float | None:
        if not self.cli:
            return None
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SCHEMA_DEV_URL")} | self.env
        cmd = [sys.executable, "-m", "flatrender_schema", "plan", "--targets", str(targets_file), "--dev-url",
               self.dev_url, "--now", TODAY.isoformat(), *self.desired_args]
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
        if r.returncode not in (0, 2):
            raise SystemExit(f"CLI failed: {r.stderr}")
        return time.perf_counter() - t0

    def row(self, scenario: str) -> Row:
        one = self.one_lib()
        fleet, distinct = self.fleet_lib()
        each, _ = self.fleet_lib(share=False)
        row = Row(scenario, len(self.urls), one, fleet, each, self.cli_run(self.one_file),
                  self.cli_run(self.targets_file), distinct)
        print(f"{scenario}: one {one:.2f} s, fleet {fleet:.2f} s ({row.ratio:.2f}x), each planned {each:.2f} s",
              flush=True)
        return row

    def converge(self) -> None:
        rollout = apply_fleet(self.fleet, self.desired, get_engine(), self.options(), environ=self.env)
        assert rollout.exit_code == 0, rollout.summary()

    def drift_each(self) -> None:
        """A column added to a different table on each target: no two plans alike."""
        with psycopg.connect(self.urls["t0"], autocommit=True) as conn:
            tables = [f'"{s}"."{t}"' for s, t in conn.execute(
                "select schemaname, tablename from pg_tables where schemaname not in "
                "('pg_catalog', 'information_schema', 'flatrender_schema', 'public') "
                "and tablename not in (select relname from pg_class where relispartition) order by 1, 2")]
        for i, url in enumerate(self.urls.values()):
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f"alter table {tables[i % len(tables)]} add column bench_drift_{i} int")

    def drop(self) -> None:
        for i in range(len(self.urls)):
            with psycopg.connect(self.servers[i % len(self.servers)], autocommit=True) as admin:
                admin.execute(f"drop database if exists bench_fleet_{i} with (force)")


def render(rows: list[Row], meta: dict[str, object]) -> str:
    out = [
        f"Fleet planning, PostgreSQL {meta['pg_major']}, {meta['cpus']} CPUs, {meta['date']}; seconds, one run each.",
        "",
        "| scenario | targets | distinct plans | one (lib) | fleet (lib) | fleet/one | each planned (lib) | "
        "one (CLI) | fleet (CLI) | fleet/one (CLI) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cli = (f"{r.one_cli:.2f} | {r.fleet_cli:.2f} | {r.ratio_cli:.2f}x" if r.one_cli and r.fleet_cli
               and r.ratio_cli else "- | - | -")
        out.append(f"| {r.scenario} | {r.targets} | {r.distinct_plans} | {r.one_lib:.2f} | {r.fleet_lib:.2f} | "
                   f"**{r.ratio:.2f}x** | {r.each_lib:.2f} | {cli} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=20)
    parser.add_argument("--desired", type=Path, help="plain SQL instead of schema/ (e.g. for a smoke run)")
    parser.add_argument("--no-cli", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--server-url", action="append", help="use these servers (repeatable) instead of "
                        "starting two ephemeral clusters; the first is also the dev server")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    desired = load_plain([args.desired]) if args.desired else load_desired(REPO / "schema")
    desired_args = ["--desired", str(args.desired)] if args.desired else ["--schema-dir", str(REPO / "schema")]
    with contextlib.ExitStack() as stack:
        servers = args.server_url
        if not servers:
            found = find_servers()
            major = found[0].major if found else None
            servers = [stack.enter_context(ephemeral(major)).url() for _ in range(2)]
        bench = Bench(servers, args.targets, desired_args, desired, not args.no_cli, out)
        rows = [bench.row("empty (first deployment)")]
        bench.converge()
        rows.append(bench.row("converged"))
        if desired.project is not None:
            bench.drift_each()
            rows.append(bench.row("converged, each drifted its own way"))
        bench.drop()
        with psycopg.connect(servers[0]) as conn:
            pg_major = conn.info.server_version // 10000
        meta = {"pg_major": pg_major, "cpus": os.cpu_count(), "date": dt.date.today().isoformat(),
                "python": platform.python_version()}
    md = render(rows, meta)
    (out / "bench_fleet.md").write_text(md)
    (out / "bench_fleet.json").write_text(json.dumps({"meta": meta, "rows": [asdict(r) for r in rows]}, indent=2))
    print(md)
    return rows


if __name__ == "__main__":
    main()
