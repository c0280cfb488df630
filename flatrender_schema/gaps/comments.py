"""Comments (COMMENT ON): compared on every object the snapshot lists; the engine covers only some."""

from __future__ import annotations

from collections.abc import Iterator

from psycopg import sql

from flatrender_schema.catalog import Snapshot
from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import owned_objects


def _comments(snap: Snapshot) -> Iterator[tuple[tuple[str, ...], sql.Composable, str | None]]:
    for obj in owned_objects(snap):
        keyword = "table" if obj.keyword in ("table", "foreign table") else obj.keyword
        yield (
            ("object", *obj.key),
            sql.SQL("{} {}").format(sql.SQL(keyword), obj.name),
            obj.row.get("comment"),
        )
    for r in snap.rows("columns"):
        name = sql.SQL("column {}.{}.{}").format(*(sql.Identifier(r[k]) for k in ("schema", "table", "name")))
        yield ("column", r["schema"], r["table"], r["name"]), name, r["comment"]
    for r in snap.rows("constraints"):
        name = sql.SQL("constraint {} on {}.{}").format(
            *(sql.Identifier(r[k]) for k in ("name", "schema", "table"))
        )
        yield ("constraint", r["schema"], r["table"], r["name"]), name, r["comment"]
    for r in snap.rows("indexes"):
        name = sql.SQL("index {}.{}").format(sql.Identifier(r["schema"]), sql.Identifier(r["name"]))
        yield ("index", r["schema"], r["name"]), name, r["comment"]


@concern("comments", priority=40)
def compare_comments(ctx: GapContext) -> list[sql.Composable]:
    have = {key: comment for key, _, comment in _comments(ctx.current)}
    out: list[sql.Composable] = []
    for key, name, comment in sorted(_comments(ctx.target), key=lambda t: t[0]):
        if key in have and have[key] != comment:
            out.append(sql.SQL("comment on {} is {}").format(name, sql.Literal(comment)))
    return out
