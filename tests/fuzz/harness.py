"""The fuzz suite's harness: budgets (Hypothesis profiles), a per-example timeout, the case counter.

Profiles are our own names (registered beside tests/property's), chosen by SCHEMA_FUZZ_PROFILE, else
HYPOTHESIS_PROFILE (`ci` -> fuzz-ci, `deep` -> fuzz-deep), else fuzz-ci:

- fuzz-ci: fixed budget, derandomized (the same cases every run), well under 3 minutes in all;
- fuzz-deep: ten times the examples, a new random seed each run, for hunting by hand.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from hypothesis import HealthCheck, settings

from flatrender_schema.errors import SchemaError

REPO = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO / "schema"

_COMMON: dict[str, Any] = {
    "deadline": None,  # the per-example timeout below bounds each case instead
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
}
# Examples per property; the CLI property spends a subprocess per case, hence its own budget.
BUDGETS = {"fuzz-ci": (100, 10), "fuzz-deep": (1000, 100), "fuzz-smoke": (10, 2)}
for _name, (_n, _cli) in BUDGETS.items():
    _derandomize = _name != "fuzz-deep"
    settings.register_profile(_name, max_examples=_n, derandomize=_derandomize, **_COMMON)
    settings.register_profile(f"{_name}-cli", max_examples=_cli, derandomize=_derandomize, **_COMMON)


def profile_name() -> str:
    chosen = os.environ.get("SCHEMA_FUZZ_PROFILE") or os.environ.get("HYPOTHESIS_PROFILE") or "ci"
    name = chosen if chosen.startswith("fuzz-") else f"fuzz-{chosen}"
    return name if name in BUDGETS else "fuzz-ci"


PROFILE = profile_name()
EXAMPLE_TIMEOUT = 30.0 if PROFILE == "fuzz-deep" else 15.0

# How many cases each property tried, and the outcomes: printed at the end of the session.
TRIED: Counter[str] = Counter()
OUTCOMES: Counter[str] = Counter()
SPENT: Counter[str] = Counter()  # seconds inside examples, per property


class Hang(BaseException):  # BaseException: no `except Exception` in the code can swallow it
    """An example ran past EXAMPLE_TIMEOUT: the loader or lint hangs (or is far too slow) on it."""


@contextlib.contextmanager
def time_limit(seconds: float = EXAMPLE_TIMEOUT) -> Iterator[None]:
    def expire(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"example took longer than {seconds:.0f}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def outcome(property_name: str, call: Callable[[], object]) -> str:
    """Run `call` within the time limit: "clean" or "SchemaError"; anything else propagates (a failure)."""
    TRIED[property_name] += 1
    start = time.monotonic()
    try:
        with time_limit():
            call()
    except SchemaError as exc:
        assert str(exc).strip(), "a SchemaError must say what is wrong"
        OUTCOMES["SchemaError"] += 1
        return "SchemaError"
    finally:
        SPENT[property_name] += time.monotonic() - start
    OUTCOMES["clean"] += 1
    return "clean"


@contextlib.contextmanager
def schema_copy(base: Path | None = None) -> Iterator[Path]:
    """A fresh copy of the repository's schema/ (or `base`) in a temporary directory."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        dst = Path(tmp) / "schema"
        shutil.copytree(base or SCHEMA_DIR, dst, symlinks=True)
        yield dst


def summary() -> str:
    total = sum(TRIED.values())
    parts = ", ".join(f"{k} {v}" for k, v in sorted(TRIED.items()))
    seconds = sum(SPENT.values())
    results = ", ".join(f"{k} {v}" for k, v in sorted(OUTCOMES.items()))
    return f"fuzz: {total} cases tried in {seconds:.1f}s of examples (profile {PROFILE}; {parts}; outcomes: {results})"
