"""The migra corpus convergence check, shared by test_corpus.py (both engines) and test_versions.py (each major).

One case: load `from.sql` into database A and `to.sql` into B, plan A -> `to.sql`, apply it to A, then judge
A == B with `catalog.compare`, which reads both catalogs directly (a re-diff by the engine that planned would
be blind to what the engine cannot see).
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from conftest import CORPUS, TODAY, Databases, run_cli

from flatrender_schema import catalog
from flatrender_schema.apply import ApplyOptions, apply_plan
from flatrender_schema.desired import load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.errors import PlanError
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import DevServer
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []
PASS = "pass"
FAIL = "fail"
NOT_LOADED = "does not load: "


def load_sql(conn: psycopg.Connection, path: Path) -> str | None:
    """Run a SQL file; the server's reason if it refuses it."""
    try:
        conn.execute(path.read_text().encode())
    except psycopg.Error as exc:
        return (exc.diag.message_primary or str(exc)).strip()
    return None


def converge_case(
    engine_name: str, case: str, dbs: Databases, dev: DevServer, results: dict[str, str], via_cli: bool = False
) -> None:
    """Converge one corpus case; records pass / fail / does-not-load in `results`, skips or fails the test.

    `via_cli`: drive the real CLI (`schema apply --desired to.sql`) in a subprocess instead of the library.
    """
    with psycopg.connect(dbs.url, autocommit=True) as admin:
        admin.execute((CORPUS / "_global_setup.sql").read_text().encode())
    a_url, b_url = dbs.create("from"), dbs.create("to")
    a, b = dbs.connect(a_url), dbs.connect(b_url)
    for conn, name in ((a, "from.sql"), (b, "to.sql")):
        reason = load_sql(conn, CORPUS / case / name)
        if reason:
            results[case] = NOT_LOADED + reason
            pytest.skip(f"{case}/{name} does not load on PostgreSQL {a.info.server_version}: {reason}")
    if via_cli:
        r = run_cli(
            "apply",
            "--yes",
            "--desired",
            str(CORPUS / case / "to.sql"),
            "--database-url",
            a_url,
            "--dev-url",
            dev.url,
            "--engine",
            engine_name,
            "--allow-hazard",
            "all",
            "--now",
            TODAY.isoformat(),
        )
        if r.returncode != 0:
            results[case] = FAIL
            raise AssertionError(r.stdout[-2000:] + r.stderr[-2000:])
    else:
        _converge_library(engine_name, case, a, dev, results)
    diff = catalog.compare(catalog.read_snapshot(a, ALWAYS_EXCLUDED), catalog.read_snapshot(b, ALWAYS_EXCLUDED))
    results[case] = FAIL if diff else PASS
    assert not diff, "\n".join(diff[:20])


def _converge_library(
    engine_name: str, case: str, a: psycopg.Connection, dev: DevServer, results: dict[str, str]
) -> None:
    desired = load_plain([CORPUS / case / "to.sql"])
    try:
        plan = build_plan(a, desired, dev, get_engine(engine_name), PlanOptions(TODAY))
        apply_plan(a, plan, ApplyOptions(frozenset({"all"})))
    except PlanError as exc:
        results[case] = FAIL
        raise AssertionError(str(exc)) from None


def case_params(known_failures: dict[str, str]) -> list[object]:
    """One pytest param per corpus case; known failures are strict xfails carrying their reason."""
    out = []
    for case in CASES:
        reason = known_failures.get(case)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(case, marks=marks, id=case))
    return out


def summary(results: dict[str, str]) -> str:
    """`N/M converged (L loaded, F failed, S did not load); {case: reason, ...}` for the cases that did not pass."""
    passed = sum(1 for v in results.values() if v == PASS)
    loaded = sum(1 for v in results.values() if not v.startswith(NOT_LOADED))
    failed = sum(1 for v in results.values() if v == FAIL)
    others = {k: v for k, v in sorted(results.items()) if v != PASS}
    return (
        f"{passed}/{len(results)} converged ({loaded} loaded, {failed} failed, {len(results) - loaded} did not load); "
        + json.dumps(others)
    )
