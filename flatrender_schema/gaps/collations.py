"""Column collations (COLLATE): PyPI migra's engine neither sets nor changes them on a column."""

from __future__ import annotations

from psycopg import sql

from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import column_pairs


@concern("column_collations", priority=17)
def compare_column_collations(ctx: GapContext) -> list[sql.Composable]:
    out: list[sql.Composable] = []
    for cur, want in column_pairs(ctx.current, ctx.target):
        # A type change is the engine's (it writes the collation with it); views follow their tables.
        if cur["collation"] == want["collation"] or cur["type"] != want["type"]:
            continue
        # The snapshot holds the collation as the server quoted it (schema-qualified), or None: the type's.
        collation = sql.SQL(want["collation"] or 'pg_catalog."default"')
        out.append(
            sql.SQL("alter table {}.{} alter column {} type {} collate {}").format(
                sql.Identifier(want["schema"]), sql.Identifier(want["table"]), sql.Identifier(want["name"]),
                sql.SQL(want["type"]), collation,
            )
        )
    return out
