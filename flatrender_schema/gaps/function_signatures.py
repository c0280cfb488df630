"""Functions whose return type or parameter names change: dropped first, so the engine's
CREATE OR REPLACE creates them anew (PostgreSQL refuses to replace them: "cannot change return
type of existing function"). Objects depending on one make the drop fail on the scratch copy, which
then says so.
"""

from __future__ import annotations

from psycopg import sql

from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import row_pairs


@concern("function_signatures", priority=4, stage="before")
def drop_changed_signatures(ctx: GapContext) -> list[sql.Composable]:
    out: list[sql.Composable] = []
    for have, want in row_pairs(ctx.current, ctx.target, "functions"):
        # A parameter's default may change in place; its name, the result and the kind may not.
        if have["result"] == want["result"] and have["kind"] == want["kind"] and _names(have) == _names(want):
            continue
        keyword = sql.SQL("procedure" if have["kind"] == "p" else "function")
        name = sql.Identifier(have["schema"], have["name"])
        out.append(sql.SQL("drop {} {}({})").format(keyword, name, sql.SQL(have["args"])))
    return out


def _names(row: dict[str, object]) -> list[str]:
    """The parameters as `name type` without their defaults."""
    return [part.split(" DEFAULT ")[0].strip() for part in str(row["arguments"]).split(",")]
