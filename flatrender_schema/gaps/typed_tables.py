"""Typed tables (`CREATE TABLE t OF some_type`): the engines create the table with the type's columns
but not bound to it, and never compare the binding. `ALTER TABLE ... OF type` binds a table whose
columns match the type exactly; `NOT OF` unbinds it, keeping its columns."""

from __future__ import annotations

from psycopg import sql

from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import row_pairs


@concern("typed_tables", priority=4)
def compare_typed_tables(ctx: GapContext) -> list[sql.Composable]:
    out: list[sql.Composable] = []
    for cur, want in row_pairs(ctx.current, ctx.target, "relations"):
        if want["kind"] != "r" or cur["kind"] != "r" or cur.get("of_type") == want.get("of_type"):
            continue
        table = sql.Identifier(want["schema"], want["name"])
        if cur.get("of_type"):
            out.append(sql.SQL("alter table {} not of").format(table))
        if want.get("of_type"):  # the type's name, quoted and qualified
            out.append(sql.SQL("alter table {} of {}").format(table, sql.SQL(want["of_type"])))
    return out
