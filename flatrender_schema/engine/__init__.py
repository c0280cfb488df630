"""The engine seam: one small interface over migra's diff engine, in its two distributions.

An engine inspects a database into its own model of the schema, and diffs two such models into the
ordered DDL that turns the first into the second. Inspections are reusable: the planner inspects live
and the shadow once and diffs them in both directions. Everything the engine gets wrong or does not
see is corrected in `fixes` or by the gap layer in `flatrender_schema.gaps`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import psycopg

from flatrender_schema.errors import PlanError

DEFAULT_ENGINE = "results"
ENGINES = ("results", "migra")


# Objects named as `in_focus` names them; `(schema, "")` is a schema itself.
Focus = frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Scope:
    """What a diff may see: schemas excluded outright and a predicate dropping single objects.

    `keep(kind, schema, name)` returns False for an object the diff must ignore, e.g. a partition
    that exists only in the live database and fits the policy. `only`, when given, narrows the diff
    to the objects it names (see `in_focus`).
    """

    exclude_schemas: frozenset[str] = frozenset()
    keep: Callable[[str, str, str], bool] | None = field(default=None, compare=False)
    only: Focus | None = None



def in_focus(only: Focus, schema: str, name: str, table: str | None = None) -> bool:
    """Whether `only` names an object: `(schema, name)`; a part of a table (column, constraint,
    index, trigger, policy, owned sequence) goes with its table, `(schema, table)`."""
    return (schema, table) in only if table else (schema, name) in only


def focus_keys(only: Focus) -> list[str]:
    """The named objects of `only` as `schema` chr(31) `name`, for a condition the server evaluates
    (a superset when a name holds chr(31): the caller filters the rows with `in_focus` too)."""
    return sorted(f"{schema}\x1f{name}" for schema, name in only if name)


class Engine(Protocol):
    name: str
    # The class of its inspections when they can be kept (pickled) with a cached shadow, else None.
    inspection_type: type | None

    def inspect(self, conn: psycopg.Connection, only: Focus | None = None) -> Any:
        """The engine's model of the connected database's schema; diffs never modify it. With
        `only`, the model may leave out the objects `only` does not name (a diff scoped to them
        then needs no more), which saves time at thousands of tables."""
        ...

    def diff_inspected(self, source: Any, target: Any, scope: Scope) -> list[str]:
        """Ordered DDL statements turning `source`'s schema into `target`'s (both from `inspect`)."""
        ...


def diff(engine: Engine, source: psycopg.Connection, target: psycopg.Connection, scope: Scope) -> list[str]:
    """Inspect both databases and diff them."""
    return engine.diff_inspected(engine.inspect(source), engine.inspect(target), scope)


def get_engine(name: str = DEFAULT_ENGINE) -> Engine:
    if name == "results":
        from flatrender_schema.engine.results_engine import ResultsEngine

        return ResultsEngine()
    if name == "migra":
        from flatrender_schema.engine.migra_engine import MigraEngine

        return MigraEngine()
    raise PlanError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")
