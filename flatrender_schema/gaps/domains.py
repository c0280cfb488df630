"""Domains (CREATE / ALTER / DROP DOMAIN): no engine plans them.

Created and altered before the engine's statements (a new table's column may have the domain; the
plan orders a domain after a function its CHECK calls), dropped after them (once no column has it).
A domain's base type or collation cannot be altered: such a change is left to the verification,
which names it.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from flatrender_schema.gaps import GapContext, concern

Row = dict[str, Any]


def _name(schema: str, name: str) -> sql.Composable:
    return sql.Identifier(schema, name)


def _constraints(rows: tuple[Row, ...]) -> dict[tuple[str, str], dict[str, Row]]:
    out: dict[tuple[str, str], dict[str, Row]] = {}
    for r in rows:
        out.setdefault((r["schema"], r["domain"]), {})[r["name"]] = r
    return out


def create_domain(row: Row, constraints: dict[str, Row]) -> list[sql.Composable]:
    parts = [sql.SQL("create domain {} as {}").format(_name(row["schema"], row["name"]), sql.SQL(row["base"]))]
    if row["collation"]:
        parts.append(sql.SQL("collate {}").format(sql.SQL(row["collation"])))
    if row["default"] is not None:
        parts.append(sql.SQL("default {}").format(sql.SQL(row["default"])))
    if row["not_null"]:
        parts.append(sql.SQL("not null"))
    out: list[sql.Composable] = [sql.SQL(" ").join(parts)]
    out += [_add_constraint(row["schema"], row["name"], c) for _, c in sorted(constraints.items())]
    return out


def _add_constraint(schema: str, domain: str, c: Row) -> sql.Composable:
    # pg_get_constraintdef writes NOT VALID itself for a constraint not validated.
    return sql.SQL("alter domain {} add constraint {} {}").format(
        _name(schema, domain), sql.Identifier(c["name"]), sql.SQL(c["definition"])
    )


def _alter_domain(
    have: Row, want: Row, have_checks: dict[str, Row], want_checks: dict[str, Row]
) -> list[sql.Composable]:
    domain = _name(want["schema"], want["name"])
    out: list[sql.Composable] = []
    if have["default"] != want["default"]:
        if want["default"] is None:
            out.append(sql.SQL("alter domain {} drop default").format(domain))
        else:
            out.append(sql.SQL("alter domain {} set default {}").format(domain, sql.SQL(want["default"])))
    if have["not_null"] != want["not_null"]:
        verb = sql.SQL("set" if want["not_null"] else "drop")
        out.append(sql.SQL("alter domain {} {} not null").format(domain, verb))
    for name, c in sorted(have_checks.items()):
        wanted = want_checks.get(name)
        if wanted is None or _definition(wanted) != _definition(c):
            out.append(sql.SQL("alter domain {} drop constraint {}").format(domain, sql.Identifier(name)))
    for name, c in sorted(want_checks.items()):
        had = have_checks.get(name)
        if had is None or _definition(had) != _definition(c):
            out.append(_add_constraint(want["schema"], want["name"], c))
        elif c["validated"] and not had["validated"]:
            out.append(sql.SQL("alter domain {} validate constraint {}").format(domain, sql.Identifier(name)))
    return out


def _definition(c: Row) -> str:
    return str(c["definition"]).removesuffix(" NOT VALID")


@concern("domains", priority=5, stage="before")
def compare_domains(ctx: GapContext) -> list[sql.Composable]:
    # The rows are the differing ones: a domain whose own row is equal on both sides is in neither
    # `have` nor `want`, though its constraints may differ.
    have = {(r["schema"], r["name"]): r for r in ctx.current.rows("domains")}
    want = {(r["schema"], r["name"]): r for r in ctx.target.rows("domains")}
    have_checks = _constraints(ctx.current.rows("domain_constraints"))
    want_checks = _constraints(ctx.target.rows("domain_constraints"))
    out: list[sql.Composable] = []
    for key in sorted(set(want) | set(want_checks) | set(have_checks)):
        if key in want and key not in have:
            out += create_domain(want[key], want_checks.get(key, {}))
        elif key in want:
            out += _alter_domain(have[key], want[key], have_checks.get(key, {}), want_checks.get(key, {}))
        elif key not in have:
            same = {"schema": key[0], "name": key[1], "default": None, "not_null": False}
            out += _alter_domain(same, same, have_checks.get(key, {}), want_checks.get(key, {}))
        # else: the domain is dropped (domain_drops), its constraints with it
    return out


@concern("domain_drops", priority=90)
def drop_domains(ctx: GapContext) -> list[sql.Composable]:
    want = {(r["schema"], r["name"]) for r in ctx.target.rows("domains")}
    return [
        sql.SQL("drop domain {}").format(_name(r["schema"], r["name"]))
        for r in sorted(ctx.current.rows("domains"), key=lambda r: (r["schema"], r["name"]))
        if (r["schema"], r["name"]) not in want
    ]
