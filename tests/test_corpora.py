"""Every corpus case: the judge agrees with pg_dump, and the plan converges (or is refused, never silent).

Cases are those of `../shared/corpus/*/` (migra's 26, sqldef's 778), run once per session by
`corpus_runner.CorpusRun` on the session cluster. Under CI=true (or SCHEMA_CORPUS=all) every case runs;
otherwise a seeded sample of each corpus (SCHEMA_CORPUS_SAMPLE, default 40 a corpus).

- `test_judge_agrees_with_pg_dump`: on the two loaded states the judge says "different" exactly when a
  canonical pg_dump does; after a plan applied, neither sees a difference. A plan that applies and
  leaves a difference either judge sees ("silent") fails here, whatever the case.
- `test_corpus_converges`: the plan applied and converged. Cases the tool cannot plan yet are strict
  xfails listed with their reason in tests/corpus/known_failures.yaml (an error, nothing applied), and
  for one major only in known_failures_by_major.yaml.

The session cluster is the floor (15) unless SCHEMA_TEST_PG_MAJOR says otherwise: the whole corpus on
another major (CI runs a seeded sample of each in tests/test_versions.py) is

    SCHEMA_TEST_PG_MAJOR=17 SCHEMA_CORPUS=all SCHEMA_CORPUS_WORKERS=2 python -m pytest -q tests/test_corpora.py

(16-18 ship no pg_dump: there the catalog judge alone decides, which the summary line says.)
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

import pytest
from conftest import SHARED, TODAY
from corpus_runner import (
    CONVERGED,
    CRASHED,
    NOT_LOADED,
    SILENT,
    CorpusRun,
    Outcome,
    discover,
    known_failures,
    sample,
    session_major,
    summary_line,
    workers_default,
)

ALL_CASES = discover(SHARED / "corpus")


def _selected() -> list:
    if os.environ.get("CI") == "true" or os.environ.get("SCHEMA_CORPUS") == "all":
        return ALL_CASES
    return sample(ALL_CASES, int(os.environ.get("SCHEMA_CORPUS_SAMPLE", "40")))


SELECTED = _selected()


KNOWN_FAILURES = known_failures(session_major())


@pytest.fixture(scope="module")
def corpus_run(server_url: str) -> Iterator[CorpusRun]:
    run = CorpusRun(server_url, TODAY, workers_default())
    try:
        run.run(SELECTED, progress=len(SELECTED) > 200)
        yield run
    finally:
        run.close()


def _outcome(run: CorpusRun, case_id: str) -> Outcome:
    outcome = run.outcomes[case_id]
    if outcome.status == NOT_LOADED:
        pytest.skip(f"{case_id} does not load: {outcome.error}")
    return outcome


def test_corpora_are_present() -> None:
    counts = Counter(c.corpus for c in ALL_CASES)
    assert counts["migra"] >= 26 and counts["sqldef"] >= 778, f"corpora not found under {SHARED / 'corpus'}: {counts}"


def test_known_failures_name_real_cases() -> None:
    ids = {c.id for c in ALL_CASES}
    named = {case for major in (15, 16, 17, 18) for case in known_failures(major)}
    assert not named - ids, sorted(named - ids)[:10]


@pytest.mark.parametrize("case_id", [c.id for c in SELECTED])
def test_judge_agrees_with_pg_dump(case_id: str, corpus_run: CorpusRun) -> None:
    outcome = _outcome(corpus_run, case_id)
    assert outcome.loaded_agree, (
        f"the judge says {'different' if outcome.judge_loaded else 'equal'}, pg_dump "
        f"{'different' if outcome.dump_loaded else 'equal'}:\n" + outcome.describe()
    )
    assert outcome.status != SILENT, "a plan applied and the databases still differ:\n" + outcome.describe()


def _convergence_params() -> list[object]:
    out = []
    for case in SELECTED:
        reason = KNOWN_FAILURES.get(case.id)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(case.id, marks=marks, id=case.id))
    return out


@pytest.mark.parametrize("case_id", _convergence_params())
def test_corpus_converges(case_id: str, corpus_run: CorpusRun) -> None:
    outcome = _outcome(corpus_run, case_id)
    assert outcome.status != CRASHED, "internal error:\n" + outcome.describe()
    assert outcome.status == CONVERGED, outcome.describe()


def test_corpora_summary(corpus_run: CorpusRun) -> None:
    """Runs last in this module: the counts, per corpus, in one line."""
    print("\n" + summary_line(corpus_run))
    assert corpus_run.outcomes, "no corpus case ran"
