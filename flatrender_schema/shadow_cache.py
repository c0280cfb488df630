"""What the planner reads from a cached shadow database, kept inside that database.

A cached shadow (`--reuse-shadow`) never changes, so neither do its catalog snapshot and the
engine's inspection of it: reading them again costs seconds at thousands of tables, loading them
a fraction of that. They are stored pickled in the tool's own schema, which no diff or snapshot
sees, and go with the database when it is dropped.

Loading a pickle runs whatever it names, and the database is only as trusted as the dev server's
role: the unpickler accepts the engine's inspection classes and plain containers, nothing else.
"""

from __future__ import annotations

import copy
import importlib.metadata
import io
import pickle
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg

from flatrender_schema import __version__

T = TypeVar("T")

SCHEMA = "flatrender_schema"  # the tool's own schema: excluded from every diff and snapshot
TABLE = f"{SCHEMA}.shadow_cache"

# Classes a stored value may name: the engine's model of a schema, our snapshot, plain containers.
_ALLOWED_PREFIXES = ("results.schemainspect.", "schemainspect.")
_ALLOWED = {
    ("collections", "OrderedDict"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("flatrender_schema.catalog", "Snapshot"),
    ("flatrender_schema.engine.results_engine", "_Inspector"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED or module.startswith(_ALLOWED_PREFIXES):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a shadow cache")


def _tag(name: str, engine_name: str | None) -> str:
    """An entry's key: what it is, and the versions that shaped it."""
    parts = [name, __version__]
    if engine_name:
        parts += [engine_name, _version_of(engine_name)]
    return ":".join(parts)


def _version_of(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _portable(value: Any) -> Any:
    """A shallow copy without the database handles an inspection keeps (a cursor, a connection)."""
    if not hasattr(value, "__dict__"):
        return value
    out = copy.copy(value)
    for attr, held in list(vars(out).items()):
        if isinstance(held, (psycopg.Cursor, psycopg.Connection)):
            delattr(out, attr)
    return out


def _load(conn: psycopg.Connection, key: str) -> Any | None:
    try:
        row = conn.execute(f"select data from {TABLE} where key = %s", [key]).fetchone()
    except psycopg.errors.UndefinedTable:
        return None
    if row is None:
        return None
    try:
        return _Unpickler(io.BytesIO(row[0])).load()
    except Exception:  # written by another version, or tampered with: computed again
        return None


def _save(conn: psycopg.Connection, key: str, value: Any) -> None:
    try:
        data = pickle.dumps(_portable(value), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return  # an engine whose model does not pickle (migra's holds its SQLAlchemy engine)
    conn.execute(f"create schema if not exists {SCHEMA}")
    conn.execute(f"create table if not exists {TABLE} (key text primary key, data bytea not null)")
    conn.execute(
        f"insert into {TABLE} (key, data) values (%s, %s) on conflict (key) do update set data = excluded.data",
        [key, data],
    )


def remembered(
    conn: psycopg.Connection, name: str, compute: Callable[[], T], engine_name: str | None = None
) -> T:
    """`compute()`'s value for the cached shadow `conn` (autocommit, idle), stored there the first time."""
    key = _tag(name, engine_name)
    value = _load(conn, key)
    if value is None:
        value = compute()
        _save(conn, key, value)
    return value  # type: ignore[no-any-return]
