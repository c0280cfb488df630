"""An exception from the engine or a gap concern, as the user sees it: "cannot plan X: Y", naming the objects.

The engines and the concerns are code over catalog rows; an object they do not expect makes them raise
(an AttributeError in the engine, a KeyError in a concern). That is a plan the tool cannot make, not a
crash: the user is told which objects it was planning and what failed, never an "internal error".
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator

import psycopg

from flatrender_schema.errors import PlanError, SchemaError

SHOWN = 8  # objects named in the message; the rest are counted


def named(objects: Iterable[tuple[str, str]]) -> str:
    """`schema.name` for each object, sorted, the first few (a schema alone is its name)."""
    names = sorted({f"{schema}.{name}" if name else schema for schema, name in objects})
    if not names:
        return "the schema"
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more


@contextlib.contextmanager
def named_failures(what: str, objects: Callable[[], Iterable[tuple[str, str]]]) -> Iterator[None]:
    """Inside: an exception other than the tool's own errors (or a lost connection) becomes a PlanError
    "cannot plan <objects>: <what> failed (<exception>)". `objects` is called only then."""
    try:
        yield
    except (SchemaError, psycopg.OperationalError):
        raise
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        raise PlanError(f"cannot plan {named(objects())}: {what} failed ({type(exc).__name__}: {first})") from exc
