"""Reference rows the application needs (declared in a service manifest): inserted when missing.

Never updated or deleted: once a row exists it is the application's data.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from flatrender_schema.desired import Desired


def reference_statements(
    conn: psycopg.Connection | None, desired: Desired
) -> tuple[list[sql.Composable], list[str]]:
    """INSERTs for declared rows missing in the live database (`conn` None: the table is new), and
    warnings for the tables this role may not read."""
    out: list[sql.Composable] = []
    warnings: list[str] = []
    for service in desired.services:
        for ref in service.manifest.reference_data:
            table = sql.Identifier(service.schema, ref.table)
            for row in ref.rows:
                cols = sorted(row)
                key = sql.SQL(" and ").join(
                    sql.SQL("{}::text = {}").format(sql.Identifier(k), sql.Literal(str(row[k]))) for k in ref.key
                )
                if conn is not None:
                    found = _exists(conn, service.schema, ref.table, table, key)
                    if found is None:
                        warnings.append(
                            f"cannot read {service.schema}.{ref.table} to check its reference "
                            "rows (no SELECT privilege); they are not planned"
                        )
                        break
                    if found:
                        continue
                out.append(
                    sql.SQL("insert into {} ({}) values ({}) on conflict do nothing").format(
                        table,
                        sql.SQL(", ").join(sql.Identifier(c) for c in cols),
                        sql.SQL(", ").join(sql.Literal(row[c]) for c in cols),
                    )
                )
    return out, warnings


def _exists(
    conn: psycopg.Connection, schema: str, name: str, table: sql.Composable, key: sql.Composable
) -> bool | None:
    """Whether the row exists; None when this role may not read the table (a read-only planner)."""
    present = conn.execute(
        "select has_table_privilege(c.oid, 'SELECT') and has_schema_privilege(n.oid, 'USAGE') "
        "from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = %s and c.relname = %s",
        [schema, name],
    ).fetchone()
    if not present:
        return False
    if not present[0]:
        return None
    return conn.execute(sql.SQL("select 1 from {} where {}").format(table, key)).fetchone() is not None
