"""Ownership: every object of the managed schemas belongs to the declared owner role."""

from __future__ import annotations

from psycopg import sql

from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import by_key


@concern("owners", priority=10)
def compare_owners(ctx: GapContext) -> list[sql.Composable]:
    if not ctx.manages_owners:
        return []
    current = by_key(ctx.current)
    out: list[sql.Composable] = []
    for key, want in sorted(by_key(ctx.target).items()):
        have = current.get(key)
        if have is None or have.owner == want.owner or want.row.get("identity_sequence"):
            continue  # an identity column's sequence follows its table's owner
        out.append(
            sql.SQL("alter {} {} owner to {}").format(
                sql.SQL(want.keyword), want.name, sql.Identifier(want.owner)
            )
        )
    return out
