"""Privileges on schemas, tables, views, sequences, functions and types (GRANT / REVOKE).

The engine diffs table grants only, misses views and quotes PUBLIC as a role name; this concern
owns all object privileges. ACLs are compared with the owner written `<owner>`, so a change of
owner alone is not a change of privileges.
"""

from __future__ import annotations

from collections import defaultdict

from psycopg import sql

from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import PRIVILEGE_LETTERS, by_key, column_pairs


def _privileges(acl: tuple[str, ...]) -> set[tuple[str, str, bool]]:
    out = set()
    for item in acl:
        grantee, _, letters = item.rpartition("=")
        i = 0
        while i < len(letters):
            grantable = letters[i + 1 : i + 2] == "*"
            out.add((grantee, letters[i], grantable))
            i += 2 if grantable else 1
    return out


def _grantee(name: str, owner: str) -> sql.Composable:
    if name == "PUBLIC":
        return sql.SQL("public")
    return sql.Identifier(owner if name == "<owner>" else name)


def _statements(
    verb: str, keyword: str, obj: sql.Composable, owner: str, privs: set[tuple[str, str, bool]]
) -> list[sql.Composable]:
    grouped: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for grantee, letter, grantable in privs:
        grouped[(grantee, grantable)].append(PRIVILEGE_LETTERS[letter])
    out: list[sql.Composable] = []
    for (grantee, grantable), names in sorted(grouped.items()):
        privileges = sql.SQL(", ").join(sql.SQL(n) for n in sorted(names))
        if verb == "grant":
            stmt = sql.SQL("grant {} on {} {} to {}").format(
                privileges, sql.SQL(keyword), obj, _grantee(grantee, owner)
            )
            if grantable:
                stmt = sql.SQL("{} with grant option").format(stmt)
        else:
            stmt = sql.SQL("revoke {} on {} {} from {}").format(
                privileges, sql.SQL(keyword), obj, _grantee(grantee, owner)
            )
        out.append(stmt)
    return out


def _column_statements(verb: str, table: sql.Composable, column: str,
                       privs: set[tuple[str, str, bool]]) -> list[sql.Composable]:
    out: list[sql.Composable] = []
    for grantee, letter, grantable in sorted(privs):
        who = sql.SQL("public") if grantee == "PUBLIC" else sql.Identifier(grantee)
        what = sql.SQL("{} ({})").format(sql.SQL(PRIVILEGE_LETTERS[letter]), sql.Identifier(column))
        if verb == "grant":
            stmt = sql.SQL("grant {} on table {} to {}").format(what, table, who)
            out.append(sql.SQL("{} with grant option").format(stmt) if grantable else stmt)
        else:
            out.append(sql.SQL("revoke {} on table {} from {}").format(what, table, who))
    return out


@concern("column_privileges", priority=21)
def compare_column_privileges(ctx: GapContext) -> list[sql.Composable]:
    """Column-level grants (GRANT SELECT (col) ...), which no engine diffs."""
    out: list[sql.Composable] = []
    for cur, want in column_pairs(ctx.current, ctx.target):
        want_p, have_p = _privileges(tuple(want["acl"] or ())), _privileges(tuple(cur["acl"] or ()))
        if want_p == have_p:
            continue
        table = sql.SQL("{}.{}").format(sql.Identifier(want["schema"]), sql.Identifier(want["table"]))
        out += _column_statements("revoke", table, want["name"], have_p - want_p)
        out += _column_statements("grant", table, want["name"], want_p - have_p)
    return out


@concern("privileges", priority=20)
def compare_privileges(ctx: GapContext) -> list[sql.Composable]:
    current = by_key(ctx.current)
    out: list[sql.Composable] = []
    for key, want in sorted(by_key(ctx.target).items()):
        have = current.get(key)
        if have is None:
            continue
        owner = want.owner if ctx.manages_owners else have.owner
        want_p, have_p = _privileges(want.acl), _privileges(have.acl)
        # A grant option change is a revoke of the privilege as held, then a grant as wanted.
        out += _statements("revoke", want.grant_keyword, want.name, owner, have_p - want_p)
        out += _statements("grant", want.grant_keyword, want.name, owner, want_p - have_p)
    return out
