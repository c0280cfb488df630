"""The gap layer: what migra's engine does not converge, one small module per concern.

Each concern registers a function comparing the scratch copy (live with the engine's statements
applied) against the shadow and returning the statements that close the gap. Concerns run in
priority order (owners before privileges: ownership moves the owner's own privileges). A concern of
the "before" stage runs before the engine's statements instead, for objects those statements use
(a domain a new table's column has); its statements are ordered among the engine's by dependency.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from psycopg import sql

from flatrender_schema.catalog import Snapshot
from flatrender_schema.desired import Desired


@dataclass(frozen=True)
class GapContext:
    desired: Desired
    # The rows of the scratch copy (after the engine's statements) and of the shadow that differ: a
    # concern decides per object from that object's own rows, so identical rows are left out.
    current: Snapshot
    target: Snapshot
    # Without manifests, an object the desired state gives another owner than this one (the user the
    # shadow was built by) was given it explicitly: ALTER ... OWNER TO in the SQL.
    default_owner: str | None = None

    @property
    def manages_owners(self) -> bool:
        return self.desired.project is not None and bool(self.desired.project.owner)


Comparator = Callable[[GapContext], list[sql.Composable]]


STAGES = ("before", "after")


@dataclass(frozen=True)
class Concern:
    name: str
    priority: int
    compare: Comparator
    stage: str = "after"  # "before" the engine's statements, or "after" them


CONCERNS: dict[str, Concern] = {}


def concern(name: str, priority: int, stage: str = "after") -> Callable[[Comparator], Comparator]:
    if stage not in STAGES:
        raise ValueError(f"gap concern {name}: stage {stage!r} is not one of {STAGES}")

    def register(fn: Comparator) -> Comparator:
        if name in CONCERNS:
            raise ValueError(f"gap concern {name} registered twice")
        CONCERNS[name] = Concern(name, priority, fn, stage)
        return fn

    return register


def load_concerns(stage: str = "after") -> list[Concern]:
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    return sorted((c for c in CONCERNS.values() if c.stage == stage), key=lambda c: (c.priority, c.name))
