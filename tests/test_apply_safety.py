"""Issue 7: apply for deploy pipelines — exactly the reviewed plan, never half-applied, safe under faults."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from conftest import REPO, TODAY, Databases, record_output, run_cli

from flatrender_schema import catalog
from flatrender_schema.apply import ApplyOptions, apply_plan
from flatrender_schema.desired import load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.errors import ApplyError
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import DevServer
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

BASE = """
create table t1 (id int primary key, a int);
create table t2 (id int primary key, a int);
create table t3 (id int primary key, a int);
create table t4 (id int primary key, a int);
insert into t1 select g, g from generate_series(1, 50) g;
insert into t2 select g, g from generate_series(1, 50) g;
insert into t3 select g, g from generate_series(1, 50) g;
insert into t4 select g, g from generate_series(1, 50) g;
"""
# One main step per table (t1..t3), then an online index build on t4 after the transaction.
TARGET = """
create table t1 (id int primary key, a int, b text default 'x');
create table t2 (id int primary key, a int, b text default 'x');
create table t3 (id int primary key, a int, b text default 'x');
create table t4 (id int primary key, a int);
create index t4_a_idx on t4 (a);
"""


def _fingerprint(conn: psycopg.Connection) -> str:
    return catalog.read_snapshot(conn, ALWAYS_EXCLUDED).fingerprint()


def _setup(dbs: Databases, tmp_path: Path) -> tuple[str, psycopg.Connection, Path]:
    url = dbs.create("apply")
    conn = dbs.connect(url)
    conn.execute(BASE)
    target = tmp_path / "target.sql"
    target.write_text(TARGET)
    return url, conn, target


def _cli_apply(url: str, server: str, target: Path, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SCHEMA_DEV_URL")}
    return subprocess.Popen(
        [sys.executable, "-m", "flatrender_schema", "apply", "--yes", "--desired", str(target), "--database-url", url,
         "--dev-url", server, "--lock-timeout", "60s", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env,
    )


def _wait_blocked_on(conn: psycopg.Connection, table: str, timeout: float = 60) -> int:
    """Wait until some backend waits for a lock on `table`; return its pid."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = conn.execute(
            "select l.pid from pg_locks l join pg_class c on c.oid = l.relation where not l.granted "
            "and c.relname = %s limit 1", [table]).fetchone()
        if row:
            return int(row[0])
        time.sleep(0.1)
    raise AssertionError(f"nothing blocked on {table}")


def _wait_orphans_gone(conn: psycopg.Connection, keep: list[int], timeout: float = 30) -> None:
    """The killed client's backend notices its client is gone and rolls back; wait for it to exit."""
    deadline = time.monotonic() + timeout
    while conn.execute("select count(*) from pg_stat_activity where datname = current_database() "
                       "and pid <> pg_backend_pid() and pid <> all(%s)", [keep]).fetchone()[0]:
        assert time.monotonic() < deadline, "the killed apply's backend did not go away"
        time.sleep(0.2)


def test_drift_refusal_with_a_plan_file(dbs: Databases, server_url: str, tmp_path: Path) -> None:
    url, conn, target = _setup(dbs, tmp_path)
    plan_file = tmp_path / "plan.json"
    r = run_cli("plan", "--desired", str(target), "--database-url", url, "--dev-url", server_url, "--out",
                str(plan_file))
    assert r.returncode == 2, r.stderr
    conn.execute("alter table t2 add column drifted int")
    before = _fingerprint(conn)
    r = run_cli("apply", "--plan", str(plan_file), "--desired", str(target), "--database-url", url,
                "--dev-url", server_url)
    assert r.returncode == 1
    assert "drift" in r.stderr
    assert _fingerprint(conn) == before
    history = conn.execute("select outcome from flatrender_schema.apply_history").fetchall()
    assert history == [("refused",)]


def test_edited_or_unknown_plan_files_are_refused(dbs: Databases, server_url: str, tmp_path: Path) -> None:
    url, conn, target = _setup(dbs, tmp_path)
    plan_file = tmp_path / "plan.json"
    run_cli("plan", "--desired", str(target), "--database-url", url, "--dev-url", server_url, "--out", str(plan_file))
    data = json.loads(plan_file.read_text())
    before = _fingerprint(conn)
    data["steps"][0]["sql"] = "drop table t1;"
    plan_file.write_text(json.dumps(data))
    r = run_cli("apply", "--plan", str(plan_file), "--desired", str(target), "--database-url", url,
                "--dev-url", server_url)
    assert r.returncode == 1 and "edited" in r.stderr, r.stderr
    data["format_version"] = 99
    plan_file.write_text(json.dumps(data))
    r = run_cli("apply", "--plan", str(plan_file), "--desired", str(target), "--database-url", url,
                "--dev-url", server_url)
    assert r.returncode == 1 and "version" in r.stderr, r.stderr
    assert _fingerprint(conn) == before


@pytest.mark.parametrize("blocked_table", ["t1", "t2", "t3"])
def test_sigkill_at_each_main_step_leaves_the_old_state(
    dbs: Databases, server_url: str, tmp_path: Path, blocked_table: str
) -> None:
    url, conn, target = _setup(dbs, tmp_path)
    before = _fingerprint(conn)
    holder = dbs.connect(url)
    holder.execute("begin")
    holder.execute(f"lock table {blocked_table} in access share mode")  # blocks ALTER, not catalog reads
    proc = _cli_apply(url, server_url, target)
    try:
        _wait_blocked_on(holder, blocked_table)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        holder.execute("rollback")
    _wait_orphans_gone(conn, [holder.info.backend_pid])
    assert _fingerprint(conn) == before
    # And the next apply converges from there.
    r = run_cli("apply", "--yes", "--desired", str(target), "--database-url", url, "--dev-url", server_url)
    assert r.returncode == 0, r.stdout + r.stderr


def test_sigkill_in_the_post_phase_resumes_by_rerunning(dbs: Databases, server_url: str, tmp_path: Path) -> None:
    url, conn, target = _setup(dbs, tmp_path)
    holder = dbs.connect(url)
    holder.execute("begin")
    holder.execute("lock table t4 in share row exclusive mode")  # blocks CREATE INDEX CONCURRENTLY's wait
    proc = _cli_apply(url, server_url, target)
    try:
        _wait_blocked_on(holder, "t4")
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        holder.execute("rollback")
    _wait_orphans_gone(conn, [holder.info.backend_pid])
    cols = conn.execute("select count(*) from information_schema.columns where column_name = 'b'").fetchone()
    assert cols == (3,), "the main transaction had committed before the online index build"
    r = run_cli("apply", "--yes", "--desired", str(target), "--database-url", url, "--dev-url", server_url)
    assert r.returncode == 0, r.stdout + r.stderr
    valid = conn.execute("select indisvalid from pg_index where indexrelid = 't4_a_idx'::regclass").fetchone()
    assert valid == (True,)


def test_connection_cut_mid_apply_leaves_the_old_state(dbs: Databases, server_url: str, tmp_path: Path) -> None:
    url, conn, target = _setup(dbs, tmp_path)
    before = _fingerprint(conn)
    holder = dbs.connect(url)
    holder.execute("begin")
    holder.execute("lock table t2 in access share mode")
    proc = _cli_apply(url, server_url, target)
    try:
        pid = _wait_blocked_on(holder, "t2")
        conn.execute("select pg_terminate_backend(%s)", [pid])
        out, err = proc.communicate(timeout=120)
        record_output(out, err)
    finally:
        holder.execute("rollback")
    assert proc.returncode == 1, out + err
    assert "Traceback" not in err, err[-3000:]
    assert _fingerprint(conn) == before


def test_two_applies_never_both_apply(dbs: Databases, server_url: str, tmp_path: Path) -> None:
    url, conn, target = _setup(dbs, tmp_path)
    procs = [_cli_apply(url, server_url, target) for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    for out, err in results:
        record_output(out, err)
    codes = [p.returncode for p in procs]
    assert codes == [0, 0], results
    applied = [out for out, _ in results if "Applied" in out]
    assert len(applied) == 1, results
    assert conn.execute("select count(*) from flatrender_schema.apply_history where outcome = 'applied'"
                        ).fetchone() == (1,)


def test_lock_held_elsewhere_retries_then_fails_cleanly(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    url, conn, target = _setup(dbs, tmp_path)
    plan = build_plan(conn, load_plain([target]), dev, get_engine(), PlanOptions(TODAY))
    before = _fingerprint(conn)
    holder = dbs.connect(url)
    holder.execute("begin")
    holder.execute("lock table t3 in access share mode")  # conflicts with ALTER TABLE's ACCESS EXCLUSIVE
    t0 = time.monotonic()
    try:
        with pytest.raises(ApplyError, match="gave up after 3 attempts"):
            apply_plan(conn, plan, ApplyOptions(lock_timeout="200ms", lock_retries=2, retry_backoff=0.1))
    finally:
        holder.execute("rollback")
    assert time.monotonic() - t0 >= 0.3  # it did back off and retry
    assert _fingerprint(conn) == before
    outcome = conn.execute("select outcome, error from flatrender_schema.apply_history").fetchall()
    assert [o for o, _ in outcome] == ["failed"]
    # Released: the same plan now applies (nothing changed in between).
    apply_plan(conn, plan)
    assert conn.execute("select count(*) from flatrender_schema.apply_history where outcome = 'applied'"
                        ).fetchone() == (1,)


def test_lock_released_during_retries_succeeds(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    url, conn, target = _setup(dbs, tmp_path)
    plan = build_plan(conn, load_plain([target]), dev, get_engine(), PlanOptions(TODAY))
    holder = dbs.connect(url)
    holder.execute("begin")
    holder.execute("lock table t1 in access share mode")
    threading.Timer(0.5, lambda: holder.execute("rollback")).start()
    result = apply_plan(conn, plan, ApplyOptions(lock_timeout="200ms", lock_retries=5, retry_backoff=0.2))
    assert result.retries >= 1
    assert build_plan(conn, load_plain([target]), dev, get_engine(), PlanOptions(TODAY)).empty


def test_data_loss_needs_every_code_allowed(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    _, conn, _ = _setup(dbs, tmp_path)
    target = tmp_path / "lossy.sql"
    target.write_text("create table t1 (id int primary key, a smallint);\n"
                      "create table t2 (id int primary key, a int);\ncreate table t3 (id int primary key, a int);\n")
    plan = build_plan(conn, load_plain([target]), dev, get_engine(), PlanOptions(TODAY))
    assert plan.data_loss == {"DELETES_DATA", "LOSSY_TYPE_CHANGE"}
    before = _fingerprint(conn)
    for allowed in (set(), {"DELETES_DATA"}, {"LOSSY_TYPE_CHANGE"}):
        with pytest.raises(ApplyError, match="data-loss"):
            apply_plan(conn, plan, ApplyOptions(frozenset(allowed)))
        assert _fingerprint(conn) == before
    apply_plan(conn, plan, ApplyOptions(frozenset({"DELETES_DATA", "LOSSY_TYPE_CHANGE"})))
    assert conn.execute("select to_regclass('t4')").fetchone() == (None,)


def test_dry_run_changes_nothing_and_history_stays_out_of_plans(
    dbs: Databases, dev: DevServer, server_url: str, tmp_path: Path
) -> None:
    url, conn, target = _setup(dbs, tmp_path)
    before = _fingerprint(conn)
    r = run_cli("apply", "--dry-run", "--desired", str(target), "--database-url", url, "--dev-url", server_url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Dry run" in r.stdout
    assert _fingerprint(conn) == before
    r = run_cli("apply", "--yes", "--desired", str(target), "--database-url", url, "--dev-url", server_url,
                "--actor", "ci-run-42")
    assert r.returncode == 0, r.stdout + r.stderr
    rows = conn.execute("select outcome, actor, steps, steps_done from flatrender_schema.apply_history "
                        "order by id").fetchall()
    assert [r[0] for r in rows] == ["dry-run", "applied"]
    assert rows[1][1] == "ci-run-42" and rows[1][2] == rows[1][3]
    plan = build_plan(conn, load_plain([target]), dev, get_engine(), PlanOptions(TODAY))
    assert plan.empty  # the tool's own schema (with the history) is never part of a diff
