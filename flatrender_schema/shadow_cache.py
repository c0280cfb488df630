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
import functools
import hashlib
import importlib.metadata
import io
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import psycopg

from flatrender_schema import __version__
from flatrender_schema.tool_schema import TOOL_SCHEMA

T = TypeVar("T")

SCHEMA = TOOL_SCHEMA  # kept inside the tool's own schema: excluded from every diff and snapshot
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
        # A dotted name walks attributes (`misc` imports `inspect`, which imports `os`...): refused.
        # Otherwise only a class defined in the engine's model modules, or one of the few listed.
        if "." not in name and ((module, name) in _ALLOWED or module.startswith(_ALLOWED_PREFIXES)):
            found = super().find_class(module, name)
            if (module, name) in _ALLOWED or (isinstance(found, type) and found.__module__ == module):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a shadow cache")


def _tag(name: str, engine_name: str | None) -> str:
    """An entry's key: what it is, and the code that shaped it."""
    parts = [name, code_digest()]
    if engine_name:
        parts += [engine_name, _version_of(engine_name)]
    return ":".join(parts)


@functools.cache
def code_digest() -> str:
    """A digest of the tool's own source: what it stores is valid for the very code that stored it
    (the version number does not change with every fix to a catalog query)."""
    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


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


def _load(conn: psycopg.Connection, key: str, kind: type) -> Any | None:
    try:
        row = conn.execute(f"select data from {TABLE} where key = %s", [key]).fetchone()
    except psycopg.errors.UndefinedTable:
        return None
    if row is None:
        return None
    try:
        value = _Unpickler(io.BytesIO(row[0])).load()
    except Exception:  # written by other code, or tampered with: computed again
        return None
    return value if isinstance(value, kind) else None


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
    conn: psycopg.Connection, name: str, kind: type[T] | None, compute: Callable[[], T], engine_name: str | None = None
) -> T:
    """`compute()`'s value for the cached shadow `conn` (autocommit, idle), stored there the first time.

    Only a value of type `kind` is taken from the store; with `kind` None nothing is stored (an
    engine whose model cannot be kept)."""
    if kind is None:
        return compute()
    key = _tag(name, engine_name)
    value = _load(conn, key, kind)
    if value is None:
        value = compute()
        _save(conn, key, value)
    return value  # type: ignore[no-any-return]
