"""The migra corpus through the real pipeline: plan A -> B, apply to A, judge A == B by catalog.

The judge is `catalog.compare`, which reads both catalogs directly: a re-diff by the engine that
planned would be blind to what the engine cannot see.
"""

from __future__ import annotations

import pytest
from conftest import CORPUS, Databases
from corpus_support import CASES, case_params, converge_case, summary

from flatrender_schema.scratch import DevServer

# Cases an engine cannot converge yet, with the reason (measured; each is its own follow-up).
KNOWN_FAILURES: dict[str, dict[str, str]] = {"results": {}, "migra": {}}
RESULTS: dict[str, dict[str, str]] = {"results": {}, "migra": {}}


def test_corpus_is_present() -> None:
    assert len(CASES) >= 26, f"corpus not found at {CORPUS}"


@pytest.mark.parametrize("case", case_params(KNOWN_FAILURES["results"]))
def test_corpus_converges_results(case: str, dbs: Databases, dev: DevServer) -> None:
    converge_case("results", case, dbs, dev, RESULTS["results"], via_cli=True)


@pytest.mark.parametrize("case", case_params(KNOWN_FAILURES["migra"]))
def test_corpus_converges_migra(case: str, dbs: Databases, dev: DevServer) -> None:
    pytest.importorskip("migra", reason="the migra extra is not installed")
    converge_case("migra", case, dbs, dev, RESULTS["migra"])


def test_report_per_engine_counts(request: pytest.FixtureRequest) -> None:
    """Runs last in this module: prints how many corpus cases each engine converged."""
    lines = [f"{engine}: {summary(results)}" for engine, results in RESULTS.items() if results]
    print("\ncorpus convergence: " + (" | ".join(lines) or "no engine ran"))
    assert RESULTS["results"], "the default engine ran no corpus case"
