"""Comments (COMMENT ON): compared on every object the catalog areas name; the engine covers only some."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from psycopg import sql

from flatrender_schema.catalog import AREAS, Snapshot
from flatrender_schema.gaps import GapContext, concern

Namer = Callable[[], sql.Composable]


def _comments(snap: Snapshot) -> Iterator[tuple[tuple[str, ...], Namer, str | None]]:
    """(key, how to name it in COMMENT ON, comment); names are built only for the few that differ."""
    for area in AREAS.values():
        if area.comment_on is None:
            continue
        for r in snap.rows(area.name):
            yield (area.name, *area.key_of(r)), partial(_name, area.comment_on, r), r.get("comment")


def _name(namer: Callable[[dict], tuple[str, sql.Composable]], row: dict) -> sql.Composable:
    keyword, name = namer(row)
    return sql.SQL("{} {}").format(sql.SQL(keyword), name)


@concern("comments", priority=40)
def compare_comments(ctx: GapContext) -> list[sql.Composable]:
    have = {key: comment for key, _, comment in _comments(ctx.current)}
    out: list[sql.Composable] = []
    for key, name, comment in sorted(_comments(ctx.target), key=lambda t: t[0]):
        if key in have and have[key] != comment:
            out.append(sql.SQL("comment on {} is {}").format(name(), sql.Literal(comment)))
    return out
