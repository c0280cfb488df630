"""Sequence options (type, bounds, increment, start, cache, cycle, OWNED BY): the engines miss changes."""

from __future__ import annotations

from psycopg import sql

from flatrender_schema.gaps import GapContext, concern

OPTIONS = ("type", "min_value", "max_value", "increment_by", "start_value", "cache_size", "cycle")


@concern("sequences", priority=15)
def compare_sequences(ctx: GapContext) -> list[sql.Composable]:
    have = {(r["schema"], r["name"]): r for r in ctx.current.rows("sequences")}
    out: list[sql.Composable] = []
    for want in ctx.target.rows("sequences"):
        cur = have.get((want["schema"], want["name"]))
        if cur is None:
            continue
        name = sql.SQL("{}.{}").format(sql.Identifier(want["schema"]), sql.Identifier(want["name"]))
        if any(cur[k] != want[k] for k in OPTIONS):
            out.append(
                sql.SQL(
                    "alter sequence {} as {} minvalue {} maxvalue {} increment by {} start with {} cache {} {}"
                ).format(
                    name,
                    sql.SQL(want["type"]),
                    sql.Literal(int(want["min_value"])),
                    sql.Literal(int(want["max_value"])),
                    sql.Literal(int(want["increment_by"])),
                    sql.Literal(int(want["start_value"])),
                    sql.Literal(int(want["cache_size"])),
                    sql.SQL("cycle" if want["cycle"] else "no cycle"),
                )
            )
        if cur["owned_by"] != want["owned_by"]:
            if want["owned_by"]:
                schema, table, column = want["owned_by"].split(".", 2)
                owner = sql.SQL("{}.{}.{}").format(
                    sql.Identifier(schema), sql.Identifier(table), sql.Identifier(column)
                )
            else:
                owner = sql.SQL("none")
            out.append(sql.SQL("alter sequence {} owned by {}").format(name, owner))
    return out
