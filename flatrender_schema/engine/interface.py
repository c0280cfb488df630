"""What an engine is (`Engine`) and what a diff may see (`Scope`): the seam's interface, below its implementations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import psycopg

from flatrender_schema.focus import Focus


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
