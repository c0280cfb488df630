"""Foreign keys and CHECK constraints whose definition the engine leaves different (a foreign key's
MATCH FULL, for one): dropped and added again as the desired state has them.

Keys (PRIMARY KEY, UNIQUE) are left alone: foreign keys may depend on them.
"""

from __future__ import annotations

from psycopg import sql

from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import row_pairs


@concern("constraint_definitions", priority=8)
def compare_definitions(ctx: GapContext) -> list[sql.Composable]:
    out: list[sql.Composable] = []
    for cur, want in row_pairs(ctx.current, ctx.target, "constraints"):
        if want["type"] not in ("f", "c") or cur["type"] != want["type"] or cur["definition"] == want["definition"]:
            continue
        if cur.get("local") is False or want.get("local") is False:
            continue  # an inherited constraint is its parent's
        table, name = sql.Identifier(want["schema"], want["table"]), sql.Identifier(want["name"])
        out.append(sql.SQL("alter table {} drop constraint {}").format(table, name))
        out.append(sql.SQL("alter table {} add constraint {} {}").format(table, name, sql.SQL(want["definition"])))
    return out
