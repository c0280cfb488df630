"""Declared renames (schema.yaml `renames`): rename instead of drop + add, so no row is lost.

A rename is planned only while it is still pending: the old name exists live, the new one does not,
and the desired state has the new one. After it has run the declaration is inert and can stay.
"""

from __future__ import annotations

from psycopg import sql

from flatrender_schema.catalog import Snapshot
from flatrender_schema.desired import Desired


def _tables(snap: Snapshot) -> set[tuple[str, str]]:
    return {(r["schema"], r["name"]) for r in snap.rows("relations") if r["kind"] in ("r", "p")}


def _columns(snap: Snapshot) -> set[tuple[str, str, str]]:
    return {(r["schema"], r["table"], r["name"]) for r in snap.rows("columns")}


def rename_statements(desired: Desired, live: Snapshot, target: Snapshot) -> list[sql.Composable]:
    if desired.project is None:
        return []
    live_tables, target_tables = _tables(live), _tables(target)
    live_columns, target_columns = _columns(live), _columns(target)
    renamed: dict[tuple[str, str], str] = {}
    out: list[sql.Composable] = []
    for r in desired.project.renames:
        if r.table:
            schema, old = r.table.split(".")
            if (schema, old) in live_tables and (schema, r.to) not in live_tables and (schema, r.to) in target_tables:
                out.append(
                    sql.SQL("alter table {}.{} rename to {}").format(
                        sql.Identifier(schema), sql.Identifier(old), sql.Identifier(r.to)
                    )
                )
                renamed[(schema, old)] = r.to
    for r in desired.project.renames:
        if r.column:
            schema, table, old = r.column.split(".")
            table_now = renamed.get((schema, table), table)
            if (
                (schema, table, old) in live_columns
                and (schema, table, r.to) not in live_columns
                and (schema, table_now, r.to) in target_columns
            ):
                out.append(
                    sql.SQL("alter table {}.{} rename column {} to {}").format(
                        sql.Identifier(schema), sql.Identifier(table_now), sql.Identifier(old), sql.Identifier(r.to)
                    )
                )
    return out
