"""Issue 6: every supported PostgreSQL major (15-18), one ephemeral cluster each (target and dev server alike).

Per major: the server starts as the unprivileged user with citext and pgcrypto; FlatRender's desired state
converges from empty (and a second plan is empty); the migra corpus converges with the default engine, judged
by catalog; and on 16-18 a seeded sample of the sqldef corpus converges (corpus_runner, as on 15 in
test_corpora.py: SCHEMA_CORPUS_VERSION_SAMPLE cases a major, 5 by default, 100 under CI=true; the whole
corpus on one major is the command in test_corpora.py's docstring). Its strict xfails are
tests/corpus/known_failures*.yaml.
15 is the image's Debian server; 16-18 come from `python -m flatrender_schema.postgres.fetch`.
A major without binaries skips locally and fails under CI (env CI=true). One summary line per major is
written to the terminal when its cluster stops.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from conftest import SCHEMA_DIR, SHARED, TODAY, Databases, run_cli
from corpus_runner import CONVERGED, CorpusRun, discover, known_failures, sample, summary_line, workers_default
from corpus_runner import NOT_LOADED as CASE_NOT_LOADED
from corpus_support import CASES, NOT_LOADED, PASS, converge_case, summary

from flatrender_schema.apply import apply_plan
from flatrender_schema.desired import load_desired
from flatrender_schema.engine import get_engine
from flatrender_schema.errors import ConnectionFailed
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.postgres.cluster import EPHEMERAL_PREFIX, Cluster, ephemeral, find_servers
from flatrender_schema.postgres.connect import connect
from flatrender_schema.postgres.fetch import find_fetched
from flatrender_schema.scratch import DevServer

MAJORS = (15, 16, 17, 18)
OLD_MAJOR = 14  # below the floor: fetched only to see it refused
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Corpus cases the default engine cannot converge on a major, with the reason (measured per major).
# (inherit2 converges since the judge's issue 14: children are created with their own columns only.)
_ENGINE_BUGS: dict[str, str] = {}
KNOWN_FAILURES: dict[int, dict[str, str]] = {
    15: dict(_ENGINE_BUGS),
    16: dict(_ENGINE_BUGS),
    17: dict(_ENGINE_BUGS),
    # 18 records NOT NULL as pg_constraint rows; the judge compares NOT NULL per column instead (catalog.py).
    18: dict(_ENGINE_BUGS),
}
CORPUS_RESULTS: dict[int, dict[str, str]] = {m: {} for m in MAJORS}
FLATRENDER_SECONDS: dict[int, float] = {}


def _sqldef_sample() -> list:
    size = int(os.environ.get("SCHEMA_CORPUS_VERSION_SAMPLE", "100" if IN_CI else "5"))
    cases = [c for c in discover(SHARED / "corpus") if c.corpus == "sqldef"]
    return sample(cases, size, seed="flatrender-corpus-versions")


SQLDEF_SAMPLE = _sqldef_sample()
SQLDEF = "sqldef:"  # a check naming one sqldef case: "sqldef:<case id>"
SQLDEF_RUNS: dict[int, CorpusRun] = {}  # per major, run whole at its first case (in parallel workers)


def _missing(major: int) -> NoReturn:
    message = (
        f"PostgreSQL {major} server binaries not found; fetch them with "
        f"`python -m flatrender_schema.postgres.fetch {major}` (or set SCHEMA_PG_BINDIR)"
    )
    if IN_CI:
        pytest.fail(message + " — CI must test every supported major")
    pytest.skip(message)


def _report(config: pytest.Config, major: int, seconds: float) -> None:
    corpus = CORPUS_RESULTS[major]
    flatrender = f"{FLATRENDER_SECONDS[major]:.1f}s" if major in FLATRENDER_SECONDS else "not run"
    sqldef = summary_line(SQLDEF_RUNS[major]) if major in SQLDEF_RUNS else "sqldef sample not run"
    line = (
        f"PostgreSQL {major}: FlatRender converge {flatrender}; "
        f"corpus {summary(corpus) if corpus else 'not run'}; {sqldef}; cluster up {seconds:.0f}s"
    )
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():  # shown with -q too, like pytest's own summary
        reporter.write_line(line)


class Clusters:
    """One started cluster at a time: the tests come in major order, so each major's cluster starts once.

    (A module-scoped fixture parametrised indirectly next to a second parameter is set up again for every test.)
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.current: Cluster | None = None
        self._stack = contextlib.ExitStack()
        self._started = 0.0

    def get(self, major: int) -> Cluster:
        if self.current is not None and self.current.server.major == major:
            return self.current
        self.close()
        if major not in {s.major for s in find_servers()}:
            _missing(major)
        self._started = time.monotonic()
        self.current = self._stack.enter_context(ephemeral(major, strict=True))
        return self.current

    def close(self) -> None:
        if self.current is not None:
            major, self.current = self.current.server.major, None
            self._stack.close()
            _report(self.config, major, time.monotonic() - self._started)


@pytest.fixture(scope="module")
def clusters(request: pytest.FixtureRequest) -> Iterator[Clusters]:
    manager = Clusters(request.config)
    try:
        yield manager
    finally:
        manager.close()


@pytest.fixture
def pg(request: pytest.FixtureRequest, clusters: Clusters) -> Cluster:
    """The started cluster of the major given by indirect parametrisation."""
    return clusters.get(int(request.param))


SERVER, FLATRENDER = "server", "flatrender"


def _checks() -> list[object]:
    """(major, check) pairs in major order, so that each major's cluster starts once: server, FlatRender, corpus."""
    out = []
    for major in MAJORS:
        out.append(pytest.param(major, SERVER, id=f"pg{major}-{SERVER}"))
        out.append(pytest.param(major, FLATRENDER, id=f"pg{major}-{FLATRENDER}"))
        if major == MAJORS[0]:
            continue  # the floor's corpus runs in tests/test_corpus.py, on the session cluster (both engines)
        for case in CASES:
            reason = KNOWN_FAILURES[major].get(case)
            marks = [pytest.mark.xfail(reason=f"PostgreSQL {major}: {reason}", strict=True)] if reason else []
            out.append(pytest.param(major, case, marks=marks, id=f"pg{major}-corpus-{case}"))
        failing = known_failures(major)
        for sqldef_case in SQLDEF_SAMPLE:
            reason = failing.get(sqldef_case.id)
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            out.append(pytest.param(major, SQLDEF + sqldef_case.id, marks=marks, id=f"pg{major}-{sqldef_case.id}"))
    return out


@pytest.mark.parametrize(("pg", "check"), _checks(), indirect=["pg"])
def test_version(pg: Cluster, check: str) -> None:
    dbs = Databases(pg.url())
    try:
        if check == SERVER:
            _server_major_and_extensions(pg, dbs)
        elif check == FLATRENDER:
            _flatrender_converges_from_empty(pg, dbs)
        elif check.startswith(SQLDEF):
            _sqldef_case_converges(pg, check.removeprefix(SQLDEF))
        else:
            with DevServer(pg.url()) as dev:
                converge_case("results", check, dbs, dev, CORPUS_RESULTS[pg.server.major])
    finally:
        dbs.close()


def _sqldef_case_converges(pg: Cluster, case_id: str) -> None:
    major = pg.server.major
    if major not in SQLDEF_RUNS:
        run = SQLDEF_RUNS[major] = CorpusRun(pg.url(), TODAY, workers_default())
        try:
            run.run(SQLDEF_SAMPLE)
        finally:
            run.close()
    outcome = SQLDEF_RUNS[major].outcomes[case_id]
    if outcome.status == CASE_NOT_LOADED:
        pytest.skip(f"{case_id} does not load on PostgreSQL {major}: {outcome.error}")
    assert outcome.status == CONVERGED, outcome.describe()


def _server_major_and_extensions(pg: Cluster, dbs: Databases) -> None:
    conn = dbs.connect(dbs.create("ext"))
    assert conn.info.server_version // 10000 == pg.server.major
    conn.execute("create extension citext")
    conn.execute("create extension pgcrypto")
    assert conn.execute("select 'A'::citext = 'a', length(gen_random_uuid()::text)").fetchone() == (True, 36)


def _flatrender_converges_from_empty(pg: Cluster, dbs: Databases) -> None:
    """build_plan + apply_plan from an empty database, then a second plan must be empty (dev = the same cluster)."""
    conn = dbs.connect(dbs.create("flatrender"))
    desired = load_desired(SCHEMA_DIR)
    started = time.monotonic()
    with DevServer(pg.url()) as dev:
        plan = build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY))
        assert not plan.empty
        apply_plan(conn, plan)
        again = build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY))
    FLATRENDER_SECONDS[pg.server.major] = time.monotonic() - started
    assert again.empty, [step.sql for step in again.steps][:10]


def test_known_failures_name_corpus_cases() -> None:
    unknown = {f"{m}:{c}" for m, cases in KNOWN_FAILURES.items() for c in cases if c not in CASES}
    assert not unknown or not CASES, f"known failures for cases not in the corpus: {sorted(unknown)}"


def test_summary_counts() -> None:
    line = summary({"a": PASS, "b": "fail", "c": NOT_LOADED + "syntax error"})
    assert line.startswith("1/3 converged (2 loaded, 1 failed, 1 did not load)")


@pytest.fixture(scope="module")
def old_server() -> Iterator[Cluster]:
    """A PostgreSQL 14 cluster (below the floor), started directly: the cluster manager never picks one."""
    server = find_fetched(OLD_MAJOR)
    if server is None:
        _missing(OLD_MAJOR)
    root = Path(tempfile.mkdtemp(prefix=EPHEMERAL_PREFIX))
    (root / "owner.pid").write_text(str(os.getpid()))
    with Cluster(root, server, ephemeral=True) as cluster:
        yield cluster


def test_server_below_the_floor_is_refused(old_server: Cluster) -> None:
    with pytest.raises(ConnectionFailed, match=r"runs PostgreSQL 14; flatrender-schema needs 15 or newer"):
        connect(old_server.url())
    url = old_server.url()
    r = run_cli("plan", "--desired", str(SCHEMA_DIR / "identity"), "--database-url", url, "--dev-url", url)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "runs PostgreSQL 14; flatrender-schema needs 15 or newer" in r.stderr
    assert "Traceback" not in r.stderr
