"""The engine seam: one small interface over migra's diff engine, in its two distributions.

An engine inspects a database into its own model of the schema, and diffs two such models into the
ordered DDL that turns the first into the second. Inspections are reusable: the planner inspects live
and the shadow once and diffs them in both directions. Everything the engine gets wrong or does not
see is corrected in `fixes` or by the gap layer in `flatrender_schema.gaps`.
"""

from __future__ import annotations

import psycopg

from flatrender_schema.engine.interface import Engine, Scope
from flatrender_schema.errors import PlanError
from flatrender_schema.focus import Focus, focus_keys, in_focus

DEFAULT_ENGINE = "results"
ENGINES = ("results", "migra")

__all__ = ["Engine", "Focus", "Scope", "diff", "focus_keys", "get_engine", "in_focus"]


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
