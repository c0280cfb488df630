"""The default engine: migra's diff engine as maintained in PyPI `results` (`results.dbdiff`)."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from flatrender_schema.catalog import AREAS
from flatrender_schema.citus import engine as citus_engine
from flatrender_schema.engine import results_import
from flatrender_schema.engine.fixes import correct_statements
from flatrender_schema.engine.inspection import (
    drop_attached_indexes,
    drop_domain_enums,
    fill_collation_locales,
    prepared_pair,
    readd_with_own_index,
    split_statements,
)
from flatrender_schema.engine.interface import Scope
from flatrender_schema.focus import Focus, focus_keys, in_focus

results_import.prepare()

from results.dbdiff import Migration  # noqa: E402  (after prepare)
from results.schemainspect.pg.obj import PostgreSQL  # noqa: E402

# The identity-column lookup in relations.sql scans pg_depend once per column; constraining the
# class ids lets PostgreSQL use pg_depend's reference index (32 s -> well under 1 s at 2,000 tables).
_SLOW_IDENTITY_LOOKUP = """      where dep.refobjid = r.oid
        and dep.refobjsubid = a.attnum
        and dep.deptype = 'i'"""
_FAST_IDENTITY_LOOKUP = """      where dep.refclassid = 'pg_class'::regclass
        and dep.classid = 'pg_class'::regclass
        and a.attidentity != ''
        and dep.refobjid = r.oid
        and dep.refobjsubid = a.attnum
        and dep.deptype = 'i'"""


# Queries whose rows are named objects or parts of a table: what a focused inspection filters.
# (query, whether its rows carry `table_name`: a table's part, or an owned sequence)
_PER_OBJECT_QUERIES = tuple(q for area in AREAS.values() for q in area.engine_queries)


class _Inspector(PostgreSQL):  # type: ignore[misc]
    """results' inspector with our corrected introspection queries; with `only`, it builds objects
    for the named ones alone (schemas, types, enums and extensions whole: few, and referred to)."""

    def __init__(self, c: Any, only: Focus | None = None) -> None:
        self.only = only  # before the base class loads everything
        super().__init__(c)

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        query = args[0] if args and isinstance(args[0], str) else None
        if query is not None and _SLOW_IDENTITY_LOOKUP in query:
            args = (query.replace(_SLOW_IDENTITY_LOOKUP, _FAST_IDENTITY_LOOKUP), *args[1:])
        if query is not None and citus_engine.member_only(query) != query:  # Citus: see citus/engine.py
            args = (citus_engine.member_only(str(args[0])), *args[1:])
        only = self.only
        if only is None or query is None:
            return super().execute(*args, **kwargs)
        per_object = [by_table for q, by_table in _PER_OBJECT_QUERIES if query == getattr(self, q)]
        if per_object:
            args = (self._narrowed(args[0], per_object[0]), *args[1:])
        rows = super().execute(*args, **kwargs)
        if query == self.DEPS_QUERY:  # both ends must exist: the base class looks them up
            return [
                r for r in rows
                if (r.schema, r.name) in only and (r.schema_dependent_on, r.name_dependent_on) in only
            ]
        if per_object:  # the server's condition is a superset when a name holds chr(31)
            return [r for r in rows if in_focus(only, r.schema, r.name, r.get("table_name"))]
        return rows

    def _narrowed(self, query: str, by_table: bool) -> str:
        """`query` limited to the focus on the server: PostgreSQL pushes the condition into it, so
        the catalog functions run for those objects only (the query's own order is kept)."""
        names = sql.Literal(focus_keys(self.only or frozenset())).as_string(self.c)
        key = "q.schema || chr(31) || {}".format(
            "coalesce(q.table_name, q.name)" if by_table else "q.name"
        )
        return f"select * from ({query.rstrip().rstrip(';')}) q where {key} = any({names}::text[])"


INHERITED_CONSTRAINTS = """
    select n.nspname, c.relname, k.conname from pg_constraint k
    join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
    where not k.conislocal
"""


def _drop_inherited_constraints(inspector: PostgreSQL, conn: psycopg.Connection) -> None:
    """A partition's inherited constraints come with it; results would add them again ("already exists")."""
    inherited = {tuple(r) for r in conn.execute(INHERITED_CONSTRAINTS).fetchall()}
    if not inherited:
        return
    kept = {
        k: v for k, v in inspector.constraints.items() if (v.schema, v.table_name, v.name) not in inherited
    }
    inspector.constraints.clear()
    inspector.constraints.update(kept)


def inspect(conn: psycopg.Connection, only: Focus | None = None) -> PostgreSQL:
    with conn.cursor() as cur:
        inspector = _Inspector(cur, only)
    citus_engine.drop_shards(inspector, citus_engine.shards_of(conn))  # Citus: see citus/engine.py
    _drop_inherited_constraints(inspector, conn)
    fill_collation_locales(inspector, conn)
    drop_attached_indexes(inspector)
    drop_domain_enums(inspector)
    return inspector


class ResultsEngine:
    name = "results"
    inspection_type = _Inspector

    def __init__(self, ordered: bool = False) -> None:
        # add_all_changes_ordered breaks enum changes (measured: 21/26 on the migra corpus);
        # add_all_changes converges 26/26, so it is the default.
        self.ordered = ordered

    def inspect(self, conn: psycopg.Connection, only: Focus | None = None) -> PostgreSQL:
        return inspect(conn, only)

    def diff_inspected(self, source: PostgreSQL, target: PostgreSQL, scope: Scope) -> list[str]:
        with prepared_pair(source, target, scope) as (before, after, additions):
            migration = Migration(before, after)
            migration.set_safety(False)
            if self.ordered:
                migration.add_all_changes_ordered(privileges=False)
            else:
                migration.add_all_changes(privileges=False)
            statements = correct_statements(split_statements(migration.sql))
            return additions + readd_with_own_index(statements, before, after)
