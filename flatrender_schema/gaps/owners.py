"""Ownership: every object of the managed schemas belongs to the declared owner role."""

from __future__ import annotations

from psycopg import sql

from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import by_key


@concern("owners", priority=10)
def compare_owners(ctx: GapContext) -> list[sql.Composable]:
    if not ctx.manages_owners and ctx.default_owner is None:
        return []
    current = by_key(ctx.current)
    out: list[sql.Composable] = []
    for key, want in sorted(by_key(ctx.target).items()):
        have = current.get(key)
        if have is None or have.owner == want.owner or want.row.get("identity_sequence"):
            continue  # an identity column's sequence follows its table's owner
        # Plain SQL: what the shadow's builder owns, the SQL gave no owner: whoever applies owns it.
        undeclared = not ctx.manages_owners and want.owner == ctx.default_owner
        owner = sql.SQL("current_user") if undeclared else sql.Identifier(want.owner)
        out.append(sql.SQL("alter {} {} owner to {}").format(sql.SQL(want.keyword), want.name, owner))
    return out
