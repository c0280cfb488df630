"""Privileges on schemas, tables, views, sequences, functions and types (GRANT / REVOKE).

The engine diffs table grants only, misses views and quotes PUBLIC as a role name; this concern
owns all object privileges. ACLs are compared with the owner written `<owner>`, so a change of
owner alone is not a change of privileges.
"""

from __future__ import annotations

from collections import defaultdict

from psycopg import sql

from flatrender_schema.acl import PRIVILEGE_LETTERS, Privilege, grantee, privileges
from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import by_key, column_pairs


def _statements(
    verb: str, keyword: str, obj: sql.Composable, owner: str, privs: set[Privilege]
) -> list[sql.Composable]:
    grouped: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for who, letter, grantable in privs:
        grouped[(who, grantable)].append(PRIVILEGE_LETTERS[letter])
    out: list[sql.Composable] = []
    for (who, grantable), names in sorted(grouped.items()):
        listed = sql.SQL(", ").join(sql.SQL(n) for n in sorted(names))
        if verb == "grant":
            stmt = sql.SQL("grant {} on {} {} to {}").format(
                listed, sql.SQL(keyword), obj, grantee(who, owner)
            )
            if grantable:
                stmt = sql.SQL("{} with grant option").format(stmt)
        else:
            stmt = sql.SQL("revoke {} on {} {} from {}").format(
                listed, sql.SQL(keyword), obj, grantee(who, owner)
            )
        out.append(stmt)
    return out


def _column_statements(verb: str, table: sql.Composable, column: str,
                       privs: set[Privilege]) -> list[sql.Composable]:
    out: list[sql.Composable] = []
    for name, letter, grantable in sorted(privs):
        who = grantee(name)
        what = sql.SQL("{} ({})").format(sql.SQL(PRIVILEGE_LETTERS[letter]), sql.Identifier(column))
        if verb == "grant":
            stmt = sql.SQL("grant {} on table {} to {}").format(what, table, who)
            out.append(sql.SQL("{} with grant option").format(stmt) if grantable else stmt)
        else:
            out.append(sql.SQL("revoke {} on table {} from {}").format(what, table, who))
    return out


@concern("column_privileges", priority=21)
def compare_columnprivileges(ctx: GapContext) -> list[sql.Composable]:
    """Column-level grants (GRANT SELECT (col) ...), which no engine diffs."""
    out: list[sql.Composable] = []
    for cur, want in column_pairs(ctx.current, ctx.target):
        want_p, have_p = privileges(tuple(want["acl"] or ())), privileges(tuple(cur["acl"] or ()))
        if want_p == have_p:
            continue
        table = sql.SQL("{}.{}").format(sql.Identifier(want["schema"]), sql.Identifier(want["table"]))
        out += _column_statements("revoke", table, want["name"], have_p - want_p)
        out += _column_statements("grant", table, want["name"], want_p - have_p)
    return out


@concern("privileges", priority=20)
def compareprivileges(ctx: GapContext) -> list[sql.Composable]:
    current = by_key(ctx.current)
    out: list[sql.Composable] = []
    for key, want in sorted(by_key(ctx.target).items()):
        have = current.get(key)
        if have is None or want.grant_keyword is None:
            continue
        owner = want.owner if ctx.manages_owners else have.owner
        want_p, have_p = privileges(want.acl), privileges(have.acl)
        # A grant option change is a revoke of the privilege as held, then a grant as wanted.
        out += _statements("revoke", want.grant_keyword, want.name, owner, have_p - want_p)
        out += _statements("grant", want.grant_keyword, want.name, owner, want_p - have_p)
    return out
