"""Issue 21: fleets — one plan report for many databases, rollouts in waves — on real PostgreSQL.

Targets live on two clusters: the session's and a second ephemeral one started here. A small schema
(tests/cases/fleet/) keeps the twenty-database runs fast; FlatRender itself runs on a few targets
(twenty under CI=true).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import jsonschema
import psycopg
import pytest
from conftest import REPO, SCHEMA_DIR, SECRET, TODAY, Databases, record_output, run_cli
from psycopg import sql

from flatrender_schema import catalog
from flatrender_schema.desired import load_desired, load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.fleet.manifest import Fleet, load_fleet
from flatrender_schema.fleet.planning import FleetOptions, plan_fleet, read_fleet_plan
from flatrender_schema.fleet.report import render_fleet_markdown, render_fleet_text
from flatrender_schema.fleet.rollout import apply_fleet
from flatrender_schema.postgres.cluster import SUPERUSER, Cluster, ephemeral
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

CASE = REPO / "tests" / "cases" / "fleet"
V1, V2, REGION = CASE / "v1", CASE / "v2", CASE / "required_region"
# A target nobody can reach; its URL carries the password too, which must not come out.
DOWN_URL = f"postgresql://{SUPERUSER}:{quote(SECRET, safe='')}@/flatrender?host=/nonexistent-socket-dir&port=5999"
FULL = os.environ.get("CI") == "true"


@pytest.fixture(scope="module")
def second_cluster(cluster: Cluster) -> Iterator[Cluster]:
    with ephemeral(cluster.server.major, strict=True) as c:
        yield c


@pytest.fixture
def other_dbs(second_cluster: Cluster) -> Iterator[Databases]:
    url = second_cluster.url().replace(f"{SUPERUSER}@", f"{SUPERUSER}:{quote(SECRET, safe='')}@", 1)
    d = Databases(url)
    yield d
    d.close()


def _write_fleet(path: Path, urls: dict[str, str], labels: dict[str, dict[str, str]] | None = None,
                 extra: dict[str, str] | None = None) -> dict[str, str]:
    """A targets file naming each target's URL variable; returns the environment that sets them."""
    lines, env = ["version: 1", "targets:"], {}
    for i, (name, url) in enumerate(urls.items()):
        var = f"FLEET_T{i}_URL"
        env[var] = url
        lines += [f"  {name}:", f"    url_env: {var}"]
        for key, value in (labels or {}).get(name, {}).items():
            lines.append(f"    {key}: {value}")
    path.write_text("\n".join(lines) + "\n")
    return env | (extra or {})


def _fingerprint(url: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        return catalog.read_snapshot(conn, ALWAYS_EXCLUDED).fingerprint()


def _history(url: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            return [r[0] for r in conn.execute("select outcome from flatrender_schema.apply_history order by id")]
        except psycopg.errors.UndefinedTable:
            return []


def _options(server_url: str, parallel: int = 4, **kw: object) -> FleetOptions:
    return FleetOptions(TODAY, parallel, server_url, **kw)  # type: ignore[arg-type]


def _converge(fleet: Fleet, env: dict[str, str], server_url: str, desired_dir: Path = V1) -> None:
    rollout = apply_fleet(fleet, load_plain([desired_dir]), get_engine(), _options(server_url), environ=env)
    assert rollout.exit_code == 0, rollout.summary()


def test_twenty_databases_on_two_clusters(
    dbs: Databases, other_dbs: Databases, server_url: str, tmp_path: Path
) -> None:
    urls = {f"a{i}": dbs.create("fleet") for i in range(10)} | {f"b{i}": other_dbs.create("fleet") for i in range(10)}
    labels = {name: {"labels": f"{{cluster: {name[0]}}}"} for name in urls}
    path = tmp_path / "targets.yaml"
    env = _write_fleet(path, {**urls, "down": "unused"}, {**labels, "down": {"labels": "{cluster: c}"}},
                       extra={"FLEET_T20_URL": DOWN_URL})
    fleet = load_fleet(path)

    # All twenty converged from empty in one apply.
    rollout = apply_fleet(fleet.select(["cluster=a", "cluster=b"]), load_plain([V1]), get_engine(),
                          _options(server_url), environ=env)
    assert rollout.exit_code == 0, rollout.summary()
    assert rollout.names("applied") == list(urls)
    assert rollout.results[0].wave == "canary" and {r.wave for r in rollout.results[1:]} == {"rest"}
    assert len({_fingerprint(u) for u in urls.values()}) == 1
    assert all(_history(u) == ["applied"] for u in urls.values())

    # A new version of the schema, one target with drift (an index someone dropped), one unreachable.
    with psycopg.connect(urls["a3"], autocommit=True) as conn:
        conn.execute("drop index orders_account_idx")
    desired = load_plain([V2])
    fleet_plan = plan_fleet(fleet, desired, get_engine(), _options(server_url), environ=env)
    groups = fleet_plan.groups()
    assert [len(g.targets) for g in groups] == [19, 1]
    assert groups[0].main and groups[1].targets == ("a3",)
    assert len(groups[1].plan.steps) == len(groups[0].plan.steps) + 1
    assert any("orders_account_idx" in s.sql for s in groups[1].plan.steps)
    assert fleet_plan.drifted() == {"a3"}
    assert [r.target.name for r in fleet_plan.failed] == ["down"]
    assert "cannot connect" in (fleet_plan.failed[0].error or "")
    assert fleet_plan.exit_code == 1
    text, markdown = render_fleet_text(fleet_plan), render_fleet_markdown(fleet_plan)
    assert f"19 targets: the same {len(groups[0].plan.steps)} steps" in text
    assert "a3" in text and "drift" in text and "only here: CREATE INDEX" in text
    assert "failed: down: cannot connect" in text
    assert "**drift**" in markdown and "`down` | **failed**" in markdown
    for rendered in (text, markdown, fleet_plan.to_json()):
        assert SECRET not in rendered

    # A shared plan is the plan each target would get on its own (checked on a sample: both clusters,
    # the drifted target, the unreachable one).
    sample = fleet.select(["name=a0", "name=a3", "name=b0", "name=b9", "name=down"])
    each = plan_fleet(sample, desired, get_engine(), _options(server_url, share_plans=False), environ=env)
    shared_sample = [fleet_plan.get(name) for name in sample.names]
    for shared, alone in zip(shared_sample, each.results, strict=True):
        assert shared is not None
        assert (shared.plan and shared.plan.steps) == (alone.plan and alone.plan.steps), shared.target.name
        assert (shared.plan and shared.plan.live_fingerprint) == (alone.plan and alone.plan.live_fingerprint)

    # The fleet plan file is documented, round-trips, and each target's plan is a plan file of its own.
    data = json.loads(fleet_plan.to_json())
    jsonschema.validate(data, json.loads((REPO / "docs" / "fleet-plan.schema.json").read_text()))
    plan_schema = json.loads((REPO / "docs" / "plan.schema.json").read_text())
    for entry in data["targets"]:
        if entry["plan"] is not None:
            jsonschema.validate(entry["plan"], plan_schema)
    again = read_fleet_plan(fleet_plan.to_json(), "fleet-plan.json", fleet)
    assert [r.plan for r in again.results] == [r.plan for r in fleet_plan.results]

    # End to end: one report, Markdown for the PR comment, JSON for machines; exit 1 (a target failed).
    common = ["--targets", str(path), "--desired", str(V2), "--dev-url", server_url]
    r = run_cli("plan", *common, "--format", "markdown", env=env)
    assert r.returncode == 1, r.stderr
    assert "19 targets: `a0`" in r.stdout and "**drift**" in r.stdout and "`down` | **failed**" in r.stdout
    r = run_cli("plan", *common, "--format", "json", "--select", "cluster=b", env=env)
    assert r.returncode == 2, r.stderr
    data = json.loads(r.stdout)
    assert [g["targets"] for g in data["groups"]] == [[f"b{i}" for i in range(10)]]

    # Applying, an unreachable target is refused (nothing ran there) and the others go on; exit 1.
    rollout = apply_fleet(fleet.select(["name=a0", "name=down"]), desired, get_engine(), _options(server_url),
                          environ=env)
    assert [(r.name, r.outcome) for r in rollout.results] == [("a0", "applied"), ("down", "refused")]
    assert rollout.results[1].detail.startswith("unreachable: cannot connect") and rollout.exit_code == 1


def test_failing_canary_stops_the_rollout_and_a_rerun_resumes(
    dbs: Databases, server_url: str, tmp_path: Path
) -> None:
    urls = {f"t{i}": dbs.create("canary") for i in range(5)}
    env = _write_fleet(tmp_path / "targets.yaml", urls)
    fleet = load_fleet(tmp_path / "targets.yaml")
    _converge(fleet, env, server_url)
    # Rows on the canary that a new required column cannot be added over: the plan (verified on a copy
    # of the schema, without data) is right, applying it there fails, and its transaction rolls back.
    with psycopg.connect(urls["t0"], autocommit=True) as conn:
        conn.execute("insert into accounts (id, name) values (1, 'a'), (2, 'b')")
    before = {name: _fingerprint(u) for name, u in urls.items()}
    desired = load_plain([REGION])
    rollout = apply_fleet(fleet, desired, get_engine(), _options(server_url), environ=env)
    assert rollout.exit_code == 1
    assert rollout.stopped_by == "t0" and rollout.names("failed") == ["t0"]
    assert rollout.names("untouched") == ["t1", "t2", "t3", "t4"]
    assert 'column "region" of relation "accounts" contains null values' in rollout.results[0].detail
    assert {name: _fingerprint(u) for name, u in urls.items()} == before  # the canary rolled back too
    assert _history(urls["t0"]) == ["applied", "failed"]
    assert all(_history(urls[n]) == ["applied"] for n in ("t1", "t2", "t3", "t4"))  # no other target touched

    with psycopg.connect(urls["t0"], autocommit=True) as conn:
        conn.execute("delete from accounts")
    rollout = apply_fleet(fleet, desired, get_engine(), _options(server_url), environ=env)
    assert rollout.exit_code == 0, rollout.summary()
    assert rollout.names("applied") == list(urls)
    rerun = apply_fleet(fleet, desired, get_engine(), _options(server_url), environ=env)
    assert rerun.names("converged") == list(urls)


def _outcomes(report: str) -> dict[str, str]:
    """Target -> outcome, from the rollout report's lines (`outcome  name[: detail]`)."""
    out = {}
    for line in report.splitlines():
        words = line.split()
        if len(words) >= 2 and not line.startswith("Rollout:"):
            out[words[1].rstrip(":")] = words[0]
    return out


def _wait_blocked_on(conn: psycopg.Connection, table: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = conn.execute(
            "select 1 from pg_locks l join pg_class c on c.oid = l.relation where not l.granted and c.relname = %s",
            [table]).fetchone()
        if row:
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing blocked on {table}")


def _wait_idle(url: str, keep: int, timeout: float = 30) -> None:
    """The killed CLI's backends notice their client is gone and roll back; wait for them to exit."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while conn.execute("select count(*) from pg_stat_activity where datname = current_database() and "
                           "pid <> pg_backend_pid() and pid <> %s", [keep]).fetchone()[0]:  # type: ignore[index]
            assert time.monotonic() < deadline, "the killed apply's backend did not go away"
            time.sleep(0.2)


def test_a_target_killed_mid_apply_is_untouched_or_complete_and_the_rerun_finishes(
    dbs: Databases, server_url: str, tmp_path: Path
) -> None:
    urls = {f"t{i}": dbs.create("kill") for i in range(5)}
    path = tmp_path / "targets.yaml"
    env = _write_fleet(path, urls)
    _converge(load_fleet(path), env, server_url)
    before = _fingerprint(urls["t0"])
    holder = psycopg.connect(urls["t2"], autocommit=True)
    holder.execute("begin")
    holder.execute("lock table orders in access share mode")  # the ALTER waits inside t2's transaction
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SCHEMA_DEV_URL")} | env
    proc = subprocess.Popen(
        [sys.executable, "-m", "flatrender_schema", "apply", "--targets", str(path), "--desired", str(V2),
         "--dev-url", server_url, "--parallel", "2", "--lock-timeout", "60s", "--yes"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=full_env,
    )
    try:
        _wait_blocked_on(holder, "orders")
        time.sleep(0.5)  # the other worker goes on with t3, t4 meanwhile
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        record_output(out, err)
    finally:
        holder.execute("rollback")
        pid = holder.info.backend_pid
    _wait_idle(urls["t2"], pid)
    holder.close()
    killed = {name: _fingerprint(u) for name, u in urls.items()}
    assert killed["t2"] == before  # killed inside its transaction: untouched
    r = run_cli("apply", "--targets", str(path), "--desired", str(V2), "--dev-url", server_url, "--yes", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    after = {name: _fingerprint(u) for name, u in urls.items()}
    assert len(set(after.values())) == 1 and before not in after.values()
    assert killed["t0"] == after["t0"]  # the canary had finished before t2 began
    for name, fp in killed.items():
        assert fp in (before, after[name]), f"{name} was left half-applied"
        # The re-run resumes: what was done is skipped, the rest applied.
        outcome = "converged" if fp == after[name] else "applied"
        assert _outcomes(r.stdout)[name] == outcome, r.stdout


def test_a_fleet_plan_file_refuses_the_drifted_target_and_applies_the_others(
    dbs: Databases, other_dbs: Databases, server_url: str, tmp_path: Path
) -> None:
    urls = {"eu-1": dbs.create("pf"), "us-1": other_dbs.create("pf"), "us-2": other_dbs.create("pf")}
    path = tmp_path / "targets.yaml"
    env = _write_fleet(path, urls)
    _converge(load_fleet(path), env, server_url)
    plan_file = tmp_path / "fleet-plan.json"
    common = ["--targets", str(path), "--desired", str(V2), "--dev-url", server_url]
    # `--targets` alone: the schema directory's targets.yaml.
    r = run_cli("plan", "--schema-dir", str(tmp_path), "--targets", "--desired", str(V2), "--dev-url", server_url,
                "--out", str(plan_file), env=env)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "3 targets: the same" in r.stdout
    with psycopg.connect(urls["us-1"], autocommit=True) as conn:
        conn.execute("alter table accounts add column drifted int")
    drifted = _fingerprint(urls["us-1"])
    r = run_cli("apply", *common, "--plan", str(plan_file), env=env)
    assert r.returncode == 1, r.stdout + r.stderr
    assert _outcomes(r.stdout) == {"eu-1": "applied", "us-1": "refused", "us-2": "applied"}
    assert "drift" in r.stdout
    assert _fingerprint(urls["us-1"]) == drifted
    assert _history(urls["us-1"]) == ["applied", "refused"]
    assert _fingerprint(urls["eu-1"]) == _fingerprint(urls["us-2"]) != drifted
    # Run again: the reviewed plans already applied are recognised from each target's history.
    r = run_cli("apply", *common, "--plan", str(plan_file), env=env)
    assert r.returncode == 1
    assert _outcomes(r.stdout) == {"eu-1": "applied-earlier", "us-1": "refused", "us-2": "applied-earlier"}
    reviewed = read_fleet_plan(plan_file.read_text(), str(plan_file), load_fleet(path))
    assert reviewed.get("us-1") is not None
    for rendered in (r.stdout, r.stderr, plan_file.read_text()):
        assert SECRET not in rendered


@pytest.fixture
def kept_shadows(dbs: Databases) -> Iterator[None]:
    """Shadows kept on the dev server between the runs of one test, dropped at its end (another
    test counts the cached shadows it makes)."""
    query = "select datname from pg_database where datname like 'frs_scratch_%cache%'"
    before = {r[0] for r in dbs.admin.execute(query)}
    yield
    for (name,) in dbs.admin.execute(query).fetchall():
        if name not in before:
            dbs.admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))


def test_flatrender_fleet_with_a_planted_conflict_on_the_canary(
    dbs: Databases, other_dbs: Databases, server_url: str, tmp_path: Path, kept_shadows: None
) -> None:
    n = 10 if FULL else 1
    urls = {f"eu-{i}": dbs.create("fr") for i in range(n)} | {f"us-{i}": other_dbs.create("fr") for i in range(n)}
    urls["acme"] = other_dbs.create("fr")  # a dedicated tenant: its partitions a year ahead
    path = tmp_path / "targets.yaml"
    env = _write_fleet(path, urls, {"acme": {"premake": "12", "labels": "{tier: dedicated}"}})
    fleet = load_fleet(path)
    desired = load_desired(SCHEMA_DIR)
    options = _options(server_url, keep_shadow=True)  # the runs below build each shadow once
    # The canary holds an object the desired state cannot be built over (citext's type, in public,
    # which the tool does not manage): its plan fails, and nothing else is touched.
    with psycopg.connect(urls["eu-0"], autocommit=True) as conn:
        conn.execute("create type public.citext as (x int)")
    rollout = apply_fleet(fleet, desired, get_engine(), options, environ=env)
    assert rollout.exit_code == 1 and rollout.stopped_by == "eu-0", rollout.summary()
    assert rollout.names("untouched") == [name for name in urls if name != "eu-0"]
    assert all(_history(u) == [] for u in urls.values())
    with psycopg.connect(urls["eu-0"], autocommit=True) as conn:
        conn.execute("drop type public.citext")

    # Fixed, the re-run converges every target (each apply ends with a re-plan that must be empty).
    # The targets on the second cluster share its roles: the first to apply creates them.
    rollout = apply_fleet(fleet, desired, get_engine(), options, environ=env)
    assert rollout.exit_code == 0, rollout.summary()
    assert rollout.names("applied") == list(urls)
    if FULL:
        fleet_plan = plan_fleet(fleet, desired, get_engine(), options, environ=env)
        assert [(len(g.targets), g.plan.empty) for g in fleet_plan.groups()] == [(2 * n + 1, True)]
    # The override was honoured: acme has twelve months of partitions ahead, the others three.
    with psycopg.connect(urls["acme"]) as acme, psycopg.connect(urls["us-0"]) as eu:
        count = "select count(*) from pg_inherits"
        assert acme.execute(count).fetchone()[0] > eu.execute(count).fetchone()[0]  # type: ignore[index]


def test_the_fleet_benchmark_runs(server_url: str, other_dbs: Databases, tmp_path: Path) -> None:
    """bench/bench_fleet.py end to end on two small targets, one per cluster (numbers not asserted)."""
    sys.path.insert(0, str(REPO / "bench"))
    import bench_fleet

    rows = bench_fleet.main(["--targets", "2", "--desired", str(V1), "--no-cli", "--out", str(tmp_path),
                             "--server-url", server_url, "--server-url", other_dbs.url])
    assert [r.scenario for r in rows] == ["empty (first deployment)", "converged"]
    assert all(r.distinct_plans == 1 and r.fleet_lib > 0 for r in rows)
    assert "fleet/one" in (tmp_path / "bench_fleet.md").read_text()
