"""The engine seam: one small interface over migra's diff engine, in its two distributions.

An engine takes two connections and returns the ordered DDL that turns the first database's schema
into the second's. Everything the engine gets wrong or does not see is corrected in `fixes` or by
the gap layer in `flatrender_schema.gaps`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import psycopg

from flatrender_schema.errors import PlanError

DEFAULT_ENGINE = "results"
ENGINES = ("results", "migra")


@dataclass(frozen=True)
class Scope:
    """What the engine may see: schemas excluded outright and a predicate dropping single objects.

    `keep(kind, schema, name, side)` returns False for an object the diff must ignore on that side
    ("from" or "to"), e.g. a partition that exists only in the live database and fits the policy.
    """

    exclude_schemas: frozenset[str] = frozenset()
    keep: Callable[[str, str, str, str], bool] | None = field(default=None, compare=False)


class Engine(Protocol):
    name: str

    def diff(self, source: psycopg.Connection, target: psycopg.Connection, scope: Scope) -> list[str]:
        """Ordered DDL statements turning `source`'s schema into `target`'s."""
        ...


def get_engine(name: str = DEFAULT_ENGINE) -> Engine:
    if name == "results":
        from flatrender_schema.engine.results_engine import ResultsEngine

        return ResultsEngine()
    if name == "migra":
        from flatrender_schema.engine.migra_engine import MigraEngine

        return MigraEngine()
    raise PlanError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")
