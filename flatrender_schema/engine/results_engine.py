"""The default engine: migra's diff engine as maintained in PyPI `results` (`results.dbdiff`)."""

from __future__ import annotations

from typing import Any

import psycopg

from flatrender_schema.engine import Scope, results_import
from flatrender_schema.engine.fixes import correct_statements
from flatrender_schema.engine.inspection import drop_attached_indexes, prepared_pair, split_statements

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


class _Inspector(PostgreSQL):  # type: ignore[misc]
    """results' inspector with our corrected introspection queries."""

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        if args and isinstance(args[0], str) and _SLOW_IDENTITY_LOOKUP in args[0]:
            args = (args[0].replace(_SLOW_IDENTITY_LOOKUP, _FAST_IDENTITY_LOOKUP), *args[1:])
        return super().execute(*args, **kwargs)


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


def _fill_collation_locales(inspector: PostgreSQL, conn: psycopg.Connection) -> None:
    """results reads an ICU collation's locale from collcollate, which PostgreSQL 15+ leaves empty: the
    engine then writes `locale 'None'`. The locale lives in colliculocale (15, 16) or colllocale (17+)."""
    missing = [c for c in inspector.collations.values() if not getattr(c, "locale", None)]
    if not missing:
        return
    column = "colllocale" if conn.info.server_version >= 170000 else "colliculocale"
    rows = conn.execute(
        f"select n.nspname, c.collname, coalesce(c.{column}, c.collcollate) from pg_collation c "
        "join pg_namespace n on n.oid = c.collnamespace"
    ).fetchall()
    found = {(schema, name): locale for schema, name, locale in rows}
    for collation in missing:
        collation.locale = found.get((collation.schema, collation.name)) or collation.locale


def inspect(conn: psycopg.Connection) -> PostgreSQL:
    with conn.cursor() as cur:
        inspector = _Inspector(cur)
    _drop_inherited_constraints(inspector, conn)
    _fill_collation_locales(inspector, conn)
    drop_attached_indexes(inspector)
    return inspector


class ResultsEngine:
    name = "results"

    def __init__(self, ordered: bool = False) -> None:
        # add_all_changes_ordered breaks enum changes (measured: 21/26 on the migra corpus);
        # add_all_changes converges 26/26, so it is the default.
        self.ordered = ordered

    def inspect(self, conn: psycopg.Connection) -> PostgreSQL:
        return inspect(conn)

    def diff_inspected(self, source: PostgreSQL, target: PostgreSQL, scope: Scope) -> list[str]:
        with prepared_pair(source, target, scope) as (before, after, additions):
            migration = Migration(before, after)
            migration.set_safety(False)
            if self.ordered:
                migration.add_all_changes_ordered(privileges=False)
            else:
                migration.add_all_changes(privileges=False)
            return additions + correct_statements(split_statements(migration.sql))
