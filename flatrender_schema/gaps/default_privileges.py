"""Default privileges (ALTER DEFAULT PRIVILEGES): what tables created later will grant."""

from __future__ import annotations

from psycopg import sql

from flatrender_schema.acl import PRIVILEGE_LETTERS, privileges
from flatrender_schema.gaps import GapContext, concern

OBJTYPES = {"r": "tables", "S": "sequences", "f": "functions", "T": "types", "n": "schemas"}


def _rows(rows: tuple[dict[str, object], ...]) -> dict[tuple[str, str, str], set[tuple[str, str, bool]]]:
    return {
        (str(r["role"]), str(r["schema"]), str(r["objtype"])): privileges(tuple(r["acl"] or ()))  # type: ignore[arg-type]
        for r in rows
    }


@concern("default_privileges", priority=30)
def compare_defaultprivileges(ctx: GapContext) -> list[sql.Composable]:
    have_all = _rows(ctx.current.rows("default_privileges"))
    want_all = _rows(ctx.target.rows("default_privileges"))
    out: list[sql.Composable] = []
    for key in sorted(set(have_all) | set(want_all)):
        role, schema, objtype = key
        have, want = have_all.get(key, set()), want_all.get(key, set())
        if key not in want_all or key not in have_all:
            # A missing row means PostgreSQL's built-in defaults; compare only explicit non-owner grants.
            have = {p for p in have if p[0] != "<owner>"}
            want = {p for p in want if p[0] != "<owner>"}
        head = sql.SQL("alter default privileges for role {}").format(sql.Identifier(role))
        if schema:
            head = sql.SQL("{} in schema {}").format(head, sql.Identifier(schema))
        for verb, diff in (("revoke", have - want), ("grant", want - have)):
            for grantee, letter, grantable in sorted(diff):
                who = (
                    sql.SQL("public")
                    if grantee == "PUBLIC"
                    else sql.Identifier(role if grantee == "<owner>" else grantee)
                )
                what = sql.SQL("{} on {}").format(
                    sql.SQL(PRIVILEGE_LETTERS[letter]), sql.SQL(OBJTYPES[objtype])
                )
                if verb == "grant":
                    stmt = sql.SQL("{} grant {} to {}").format(head, what, who)
                    if grantable:
                        stmt = sql.SQL("{} with grant option").format(stmt)
                else:
                    stmt = sql.SQL("{} revoke {} from {}").format(head, what, who)
                out.append(stmt)
    return out
