"""Issue 7, acceptance 4: applying online changes under a pgbench write workload fails no transaction.

The workload writes to the very tables being changed (loopback Unix socket, bounded duration). The plan
adds a column with a default, an index (built CONCURRENTLY) and a foreign key (NOT VALID, then
VALIDATE). Latency during the apply is reported against latency before it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import TODAY, Databases

from flatrender_schema.apply import ApplyOptions, apply_plan
from flatrender_schema.desired import load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.postgres.cluster import Cluster
from flatrender_schema.scratch import DevServer

BASE = """
create table accounts (id int primary key, balance bigint not null default 0);
create table orders (id bigint generated always as identity primary key, account_id int not null,
                     amount int not null default 1);
insert into accounts select g from generate_series(1, 1000) g;
insert into orders (account_id) select (g % 1000) + 1 from generate_series(1, 20000) g;
"""
TARGET = """
create table accounts (id int primary key, balance bigint not null default 0, note text default 'none');
create table orders (id bigint generated always as identity primary key,
                     account_id int not null constraint orders_account_id_fkey references accounts (id),
                     amount int not null default 1);
create index orders_account_id_idx on orders (account_id);
"""
WORKLOAD = """\\set aid random(1, 1000)
BEGIN;
UPDATE accounts SET balance = balance + 1 WHERE id = :aid;
INSERT INTO orders (account_id, amount) VALUES (:aid, 2);
END;
"""


def _pgbench(cluster: Cluster) -> str:
    for candidate in (cluster.server.bindir / "pgbench", *Path("/usr/lib/postgresql").glob("*/bin/pgbench")):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("pgbench")
    if not found:
        pytest.skip("pgbench is not installed with this server")
    return found


def _run_pgbench(pgbench: str, cluster: Cluster, dbname: str, script: Path, seconds: int) -> dict[str, float]:
    out = subprocess.run(
        [pgbench, "-n", "-c", "4", "-j", "2", "-T", str(seconds), "-f", str(script), *cluster.psql_args(dbname)],
        capture_output=True, text=True, timeout=seconds + 60,
    )
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    failed = re.search(r"number of failed transactions: (\d+)", text)
    done = re.search(r"number of transactions actually processed: (\d+)", text)
    latency = re.search(r"latency average = ([\d.]+) ms", text)
    assert done and latency, text
    return {"failed": float(failed.group(1)) if failed else 0.0, "done": float(done.group(1)),
            "latency_ms": float(latency.group(1))}


def test_online_apply_under_write_load(cluster: Cluster, dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    pgbench = _pgbench(cluster)
    url = dbs.create("load")
    dbname = url.rsplit("dbname=", 1)[-1].split()[0]
    conn = dbs.connect(url)
    conn.execute(BASE)
    target = tmp_path / "target.sql"
    target.write_text(TARGET)
    script = tmp_path / "workload.sql"
    script.write_text(WORKLOAD)

    plan = build_plan(conn, load_plain([target]), dev, get_engine(), PlanOptions(TODAY))
    assert [s.phase for s in plan.steps].count("post") == 2, [(s.phase, s.sql) for s in plan.steps]
    assert not plan.hazard_codes, plan.hazard_codes

    before = _run_pgbench(pgbench, cluster, dbname, script, 3)
    during: dict[str, float] = {}
    bench = threading.Thread(target=lambda: during.update(_run_pgbench(pgbench, cluster, dbname, script, 8)))
    bench.start()
    time.sleep(1.5)
    t0 = time.monotonic()
    result = apply_plan(conn, plan, ApplyOptions(lock_timeout="2s", lock_retries=5, retry_backoff=0.2))
    apply_seconds = time.monotonic() - t0
    bench.join()

    print(
        f"\npgbench before apply: {before['latency_ms']:.2f} ms avg latency, {before['done']:.0f} tx in 3 s; "
        f"during apply: {during['latency_ms']:.2f} ms avg, {during['done']:.0f} tx in 8 s, "
        f"failed {during['failed']:.0f}; apply took {apply_seconds:.2f} s with {result.retries} lock retries"
    )
    assert during["failed"] == 0 and before["failed"] == 0
    assert build_plan(conn, load_plain([target]), dev, get_engine(), PlanOptions(TODAY)).empty
    valid = conn.execute("select convalidated from pg_constraint where conname = 'orders_account_id_fkey'").fetchone()
    assert valid == (True,)
