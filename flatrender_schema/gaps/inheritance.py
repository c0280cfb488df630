"""Inheritance children's own declarations (attislocal, conislocal) of what their parents also give them.

A child declares an inherited column itself too when it was created listing it (or had it before
INHERIT); pg_dump shows the difference. Only one direction is possible in place: NO INHERIT makes all
of a child's inherited columns and constraints its own, and INHERIT links it again. The other
direction (an own column becoming inherited-only) is written when the child is created
(`engine.inherited_columns`), and otherwise cannot be planned: the verification then says so.
"""

from __future__ import annotations

from psycopg import sql

from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import row_pairs


@concern("inheritance", priority=3)
def compare_inheritance(ctx: GapContext) -> list[sql.Composable]:
    children: set[tuple[str, str]] = set()
    for area in ("columns", "constraints"):
        for cur, want in row_pairs(ctx.current, ctx.target, area):
            if want["local"] is True and cur["local"] is False:
                children.add((want["schema"], want["table"]))
    parents = {(r["schema"], r["name"]): r["parents"] for r in ctx.target.rows("relations")}
    out: list[sql.Composable] = []
    for schema, table in sorted(children):
        child = sql.Identifier(schema, table)
        for parent in parents.get((schema, table)) or ():
            parent_name = sql.Identifier(*str(parent).split(".", 1))
            out.append(sql.SQL("alter table {} no inherit {}").format(child, parent_name))
            out.append(sql.SQL("alter table {} inherit {}").format(child, parent_name))
    return out
