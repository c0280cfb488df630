"""Benchmark: FlatRender's plan on a Citus cluster against the same plan on one plain PostgreSQL.

FlatRender made Citus-ready (tests/citus/citus_ready.py, shard_count as `--shards`) is planned:

- citus: against a database on a Citus cluster (a coordinator and two workers, PostgreSQL 15 with
  Citus preloaded), the shadow a single-node Citus on the coordinator's cluster;
- single: the same files with `citus.enabled: false`, against a database on one plain PostgreSQL 15.

The dev server is a server of its own on both sides (Citus preloaded for the Citus side).

Each side from empty (first deployment: plan, then apply, timed) and converged (the plan of an
applied database, what every pull request pays; also with `--reuse-shadow`, second plan). The
ratio is citus / single. One run per cell, on this machine; in-process library calls
(`build_plan`, `apply_plan`).
Output: bench/out/bench_citus.{json,md}; the Markdown is printed.
`python bench/bench_citus.py [--shards 32]`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "citus")]

from citus_ready import make_citus_ready  # noqa: E402
from citus_support import CITUS_MAJOR, CITUS_SETTINGS, CitusCluster, citus_missing  # noqa: E402

from flatrender_schema.apply import apply_plan  # noqa: E402
from flatrender_schema.desired import load_desired  # noqa: E402
from flatrender_schema.engine import get_engine  # noqa: E402
from flatrender_schema.planner import PlanOptions, build_plan  # noqa: E402
from flatrender_schema.postgres.cluster import ephemeral  # noqa: E402
from flatrender_schema.scratch import DevServer  # noqa: E402

TODAY = dt.date(2026, 11, 25)


def _timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


def _measure(live_url: str, dev_url: str, schema: Path) -> dict[str, float]:
    desired = load_desired(schema)
    with psycopg.connect(live_url, autocommit=True) as live, DevServer(dev_url) as dev:
        plan, empty = _timed(lambda: build_plan(live, desired, dev, get_engine(), PlanOptions(TODAY)))
        _, applied = _timed(lambda: apply_plan(live, plan))
        again, converged = _timed(lambda: build_plan(live, desired, dev, get_engine(), PlanOptions(TODAY)))
        assert again.empty, "the second plan is not empty"
        reuse = PlanOptions(TODAY, reuse_shadow=True)
        build_plan(live, desired, dev, get_engine(), reuse)  # builds the shadow it keeps
        _, reused = _timed(lambda: build_plan(live, desired, dev, get_engine(), reuse))
    return {"plan_from_empty": empty, "apply": applied, "plan_converged": converged,
            "plan_converged_reused_shadow": reused, "steps": len(plan.steps)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, default=32)
    args = parser.parse_args()
    reason = citus_missing()
    if reason:
        sys.exit(f"bench_citus: {reason}")
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        citus_schema = make_citus_ready(REPO / "schema", Path(tmp) / "citus")
        project = yaml.safe_load((citus_schema / "schema.yaml").read_text())
        project["citus"]["shard_count"] = args.shards
        (citus_schema / "schema.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
        single_schema = make_citus_ready(REPO / "schema", Path(tmp) / "single")
        project = yaml.safe_load((single_schema / "schema.yaml").read_text())
        project["citus"]["enabled"] = False
        (single_schema / "schema.yaml").write_text(yaml.safe_dump(project, sort_keys=False))

        # A coordinator, two workers and a dev server (single-node Citus scratch databases).
        nodes = [stack.enter_context(ephemeral(CITUS_MAJOR, strict=True, settings=CITUS_SETTINGS)) for _ in range(4)]
        cluster = CitusCluster(nodes[0], tuple(nodes[1:3]), nodes[3])
        citus = _measure(cluster.create_database("bench"), nodes[3].url(), citus_schema)
        plain, plain_dev = (stack.enter_context(ephemeral(CITUS_MAJOR, strict=True)) for _ in range(2))
        with psycopg.connect(plain.url(), autocommit=True) as admin:
            admin.execute("create database bench")
        single = _measure(plain.url("bench"), plain_dev.url(), single_schema)

    rows = [(k, citus[k], single[k])
            for k in ("plan_from_empty", "apply", "plan_converged", "plan_converged_reused_shadow")]
    md = [f"FlatRender (Citus-ready, {args.shards} shards, 2 workers) on Citus vs one plain PostgreSQL 15; "
          f"seconds, one run, {dt.date.today()}", "",
          "| scenario | Citus cluster | single node | ratio |", "|---|---:|---:|---:|"]
    md += [f"| {k.replace('_', ' ')} | {c:.2f} | {s:.2f} | {c / s:.1f}x |" for k, c, s in rows]
    md.append(f"\nsteps: {citus['steps']} (Citus) / {single['steps']} (single node)")
    out = REPO / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "bench_citus.json").write_text(json.dumps({"shards": args.shards, "citus": citus, "single": single},
                                                     indent=2))
    (out / "bench_citus.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
