"""Whether a materialized view holds data (CREATE ... WITH NO DATA): REFRESH ... [WITH NO DATA].

Its rows are derived from its query, so emptying or filling it loses nothing a refresh cannot bring back.
"""

from __future__ import annotations

from psycopg import sql

from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import row_pairs


@concern("materialized_view_data", priority=60)
def compare_populated(ctx: GapContext) -> list[sql.Composable]:
    out: list[sql.Composable] = []
    for cur, want in row_pairs(ctx.current, ctx.target, "relations"):
        if want["kind"] == "m" and cur["kind"] == "m" and cur["populated"] != want["populated"]:
            tail = sql.SQL("" if want["populated"] else " with no data")
            view = sql.Identifier(want["schema"], want["name"])
            out.append(sql.SQL("refresh materialized view {}{}").format(view, tail))
    return out
