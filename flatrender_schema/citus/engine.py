"""The engine's view of a Citus database: every table, index and constraint, but no shard.

Citus records a normal dependency (`pg_depend`, deptype `n`) of every distributed or reference table
on the `citus` extension, so that the extension is not dropped from under them. `results`'
introspection queries take any dependency on an extension for membership and so leave out every
index and constraint of a distributed table: `member_only` narrows them to real members
(deptype `e`). Shards are hidden from the engine's queries on `pg_class` by Citus itself
(`citus.override_table_visibility`); `drop_shards` removes any that show anyway (named in
`pg_dist_shard`), e.g. for an application name listed in `citus.show_shards_for_app_name_prefixes`.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg

from flatrender_schema.citus.judge import has_citus

_QUALIFIED = re.compile(r'^("(?:[^"]|"")*")\.("(?:[^"]|"")*")')


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_ANY_DEPENDENCY = "d.refclassid = 'pg_extension'::regclass"


def member_only(query: str) -> str:
    """An introspection query whose extension test counts members (deptype 'e') only."""
    if _ANY_DEPENDENCY not in query:
        return query
    return query.replace(_ANY_DEPENDENCY, f"d.deptype = 'e' and {_ANY_DEPENDENCY}")


def shards_of(conn: psycopg.Connection) -> set[tuple[str, str]]:
    """(schema, name) of every shard relation Citus knows in this database; empty without Citus."""
    if not has_citus(conn):
        return set()
    rows = conn.execute(
        """select n.nspname, c.relname || '_' || s.shardid from pg_dist_shard s
           join pg_class c on c.oid = s.logicalrelid join pg_namespace n on n.oid = c.relnamespace"""
    ).fetchall()
    return {(str(a), str(b)) for a, b in rows}


def drop_shards(inspector: Any, shards: set[tuple[str, str]]) -> None:
    """Remove, in place, every object of the engine's model that belongs to a shard relation."""
    if not shards:
        return
    quoted = {f"{_quoted(s)}.{_quoted(n)}" for s, n in shards}

    def is_shard(key: Any, value: Any) -> bool:
        for k in key if isinstance(key, tuple) else (key,):
            m = _QUALIFIED.match(k) if isinstance(k, str) else None
            if m and f"{m.group(1)}.{m.group(2)}" in quoted:
                return True
        return (getattr(value, "schema", None), getattr(value, "table_name", None)) in shards

    for attr, value in list(vars(inspector).items()):
        if isinstance(value, dict) and not attr.startswith("__"):
            for key in [k for k, v in value.items() if is_shard(k, v)]:
                del value[key]
