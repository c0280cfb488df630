"""The migra corpus through the real pipeline: plan A -> B, apply to A, judge A == B by catalog.

The judge is `catalog.compare`, which reads both catalogs directly: a re-diff by the engine that
planned would be blind to what the engine cannot see.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from conftest import CORPUS, TODAY, Databases

from flatrender_schema import catalog
from flatrender_schema.apply import ApplyOptions, apply_plan
from flatrender_schema.desired import load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.errors import PlanError
from flatrender_schema.planner import ALWAYS_EXCLUDED, PlanOptions, build_plan
from flatrender_schema.scratch import DevServer

CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []

# Cases an engine cannot converge yet, with the reason (measured; each is its own follow-up).
KNOWN_FAILURES: dict[str, dict[str, str]] = {
    "results": {
        "collations": "results emits `locale 'None'` for a libc collation without a locale (engine bug)",
        "inherit2": "engine re-adds a column an inheritance child already inherits ('already exists')",
    },
    "migra": {
        "inherit2": "engine re-adds a column an inheritance child already inherits ('already exists')",
    },
}
RESULTS: dict[str, dict[str, str]] = {"results": {}, "migra": {}}


def _load(conn: psycopg.Connection, path: Path) -> str | None:
    try:
        conn.execute(path.read_text().encode())
    except psycopg.Error as exc:
        return (exc.diag.message_primary or str(exc)).strip()
    return None


def _converge(engine_name: str, case: str, dbs: Databases, dev: DevServer) -> None:
    setup = CORPUS / "_global_setup.sql"
    with psycopg.connect(dbs.url, autocommit=True) as admin:
        admin.execute(setup.read_text().encode())
    a_url, b_url = dbs.create("from"), dbs.create("to")
    a, b = dbs.connect(a_url), dbs.connect(b_url)
    for conn, name in ((a, "from.sql"), (b, "to.sql")):
        reason = _load(conn, CORPUS / case / name)
        if reason:
            RESULTS[engine_name][case] = f"does not load: {reason}"
            pytest.skip(f"{case}/{name} does not load on PostgreSQL {a.info.server_version}: {reason}")
    desired = load_plain([CORPUS / case / "to.sql"])
    try:
        plan = build_plan(a, desired, dev, get_engine(engine_name), PlanOptions(TODAY))
        apply_plan(a, plan, ApplyOptions(frozenset({"all"})))
    except PlanError as exc:
        RESULTS[engine_name][case] = "fail"
        raise AssertionError(str(exc)) from None
    diff = catalog.compare(
        catalog.read_snapshot(a, ALWAYS_EXCLUDED), catalog.read_snapshot(b, ALWAYS_EXCLUDED)
    )
    RESULTS[engine_name][case] = "fail" if diff else "pass"
    assert not diff, "\n".join(diff[:20])


def _param(engine: str) -> list[object]:
    out = []
    for case in CASES:
        reason = KNOWN_FAILURES[engine].get(case)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(case, marks=marks, id=case))
    return out


def test_corpus_is_present() -> None:
    assert len(CASES) >= 26, f"corpus not found at {CORPUS}"


@pytest.mark.parametrize("case", _param("results"))
def test_corpus_converges_results(case: str, dbs: Databases, dev: DevServer) -> None:
    _converge("results", case, dbs, dev)


@pytest.mark.parametrize("case", _param("migra"))
def test_corpus_converges_migra(case: str, dbs: Databases, dev: DevServer) -> None:
    pytest.importorskip("migra", reason="the migra extra is not installed")
    _converge("migra", case, dbs, dev)


def test_report_per_engine_counts(request: pytest.FixtureRequest) -> None:
    """Runs last in this module: prints how many corpus cases each engine converged."""
    lines = []
    for engine, results in RESULTS.items():
        if results:
            passed = sum(1 for v in results.values() if v == "pass")
            lines.append(
                f"{engine}: {passed}/{len(results)} converged; "
                + json.dumps({k: v for k, v in sorted(results.items()) if v != "pass"})
            )
    print("\ncorpus convergence: " + (" | ".join(lines) or "no engine ran"))
    assert RESULTS["results"], "the default engine ran no corpus case"
