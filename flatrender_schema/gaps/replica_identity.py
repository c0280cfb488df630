"""REPLICA IDENTITY (DEFAULT, FULL, NOTHING, USING INDEX) of tables, partitions and materialized views."""

from __future__ import annotations

from psycopg import sql

from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import row_pairs

FORMS = {"d": "default", "f": "full", "n": "nothing"}


@concern("replica_identity", priority=18)
def compare_replica_identity(ctx: GapContext) -> list[sql.Composable]:
    out: list[sql.Composable] = []
    for cur, want in row_pairs(ctx.current, ctx.target, "relations"):
        wanted = (want["replica_identity"], want["replica_index"])
        if wanted == (cur["replica_identity"], cur["replica_index"]) or want["replica_identity"] is None:
            continue
        if want["replica_identity"] == "i":
            form = sql.SQL("using index {}").format(sql.Identifier(want["replica_index"]))
        else:
            form = sql.SQL(FORMS[want["replica_identity"]])
        table = sql.Identifier(want["schema"], want["name"])
        out.append(sql.SQL("alter table {} replica identity {}").format(table, form))
    return out
