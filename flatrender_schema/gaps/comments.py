"""Comments (COMMENT ON): compared on every object the snapshot lists; the engine covers only some."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from psycopg import sql

from flatrender_schema.catalog import Snapshot
from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import owned_objects

Namer = Callable[[], sql.Composable]


def _comments(snap: Snapshot) -> Iterator[tuple[tuple[str, ...], Namer, str | None]]:
    """(key, how to name it in COMMENT ON, comment); names are built only for the few that differ."""
    for obj in owned_objects(snap):
        keyword = "table" if obj.keyword in ("table", "foreign table") else obj.keyword
        yield ("object", *obj.key), partial(sql.SQL("{} {}").format, sql.SQL(keyword), obj.name), obj.row.get("comment")
    for r in snap.rows("columns"):
        yield (
            ("column", r["schema"], r["table"], r["name"]),
            partial(_name, "column {}.{}.{}", r["schema"], r["table"], r["name"]),
            r["comment"],
        )
    for r in snap.rows("constraints"):
        yield (
            ("constraint", r["schema"], r["table"], r["name"]),
            partial(_name, "constraint {} on {}.{}", r["name"], r["schema"], r["table"]),
            r["comment"],
        )
    for r in snap.rows("indexes"):
        yield ("index", r["schema"], r["name"]), partial(_name, "index {}.{}", r["schema"], r["name"]), r["comment"]


def _name(template: str, *parts: str) -> sql.Composable:
    return sql.SQL(template).format(*(sql.Identifier(p) for p in parts))


@concern("comments", priority=40)
def compare_comments(ctx: GapContext) -> list[sql.Composable]:
    have = {key: comment for key, _, comment in _comments(ctx.current)}
    out: list[sql.Composable] = []
    for key, name, comment in sorted(_comments(ctx.target), key=lambda t: t[0]):
        if key in have and have[key] != comment:
            out.append(sql.SQL("comment on {} is {}").format(name(), sql.Literal(comment)))
    return out
