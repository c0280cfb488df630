"""Aggregates (CREATE / DROP AGGREGATE): no engine reads them. Owners and comments are the generic concerns'.

Both run in the "before" stage, ordered among the engine's statements by dependency: dropped before
the support functions the engine drops (and after the views using them, by live's pg_depend), created
after the support functions it creates and before the views that call it; a changed aggregate is both.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from flatrender_schema.gaps import GapContext, concern

# (snapshot field, CREATE AGGREGATE option); function and operator fields hold their signatures.
FUNCTIONS = (
    ("sfunc", "sfunc"), ("finalfunc", "finalfunc"), ("combinefunc", "combinefunc"), ("serialfunc", "serialfunc"),
    ("deserialfunc", "deserialfunc"), ("msfunc", "msfunc"), ("minvfunc", "minvfunc"), ("mfinalfunc", "mfinalfunc"),
)
MODIFY = {"r": "read_only", "s": "shareable", "w": "read_write"}
PARALLEL = {"s": "safe", "r": "restricted", "u": "unsafe"}
# What makes two aggregates the same one; owner, privileges and comment are other concerns'.
DEFINITION = (
    *(f for f, _ in FUNCTIONS), "aggregate_kind", "direct_args", "stype", "sspace", "finalfunc_extra",
    "finalfunc_modify", "initcond",
    "mstype", "msspace", "mfinalfunc_extra", "mfinalfunc_modify", "minitcond", "sortop", "parallel",
)


def _name(row: dict[str, Any]) -> sql.Composable:
    return sql.SQL("{}({})").format(sql.Identifier(row["schema"], row["name"]), sql.SQL(row["args"] or "*"))


def _bare(signature: str) -> str:
    """`public.f(integer,integer)` -> `public.f`: CREATE AGGREGATE names a support function without its arguments."""
    return signature.split("(", 1)[0]


def create_aggregate(row: dict[str, Any]) -> sql.Composable:
    options: list[sql.Composable] = []
    for field, option in FUNCTIONS:
        if row[field]:
            options.append(sql.SQL(f"{option} = {{}}").format(sql.SQL(_bare(row[field]))))
    options.append(sql.SQL("stype = {}").format(sql.SQL(row["stype"])))
    if row["sspace"]:
        options.append(sql.SQL("sspace = {}").format(sql.Literal(int(row["sspace"]))))
    if row["finalfunc"]:
        if row["finalfunc_extra"]:
            options.append(sql.SQL("finalfunc_extra"))
        options.append(sql.SQL("finalfunc_modify = {}").format(sql.SQL(MODIFY[row["finalfunc_modify"]])))
    if row["initcond"] is not None:
        options.append(sql.SQL("initcond = {}").format(sql.Literal(row["initcond"])))
    if row["mstype"]:
        options.append(sql.SQL("mstype = {}").format(sql.SQL(row["mstype"])))
        if row["msspace"]:
            options.append(sql.SQL("msspace = {}").format(sql.Literal(int(row["msspace"]))))
        if row["mfinalfunc"]:
            if row["mfinalfunc_extra"]:
                options.append(sql.SQL("mfinalfunc_extra"))
            options.append(sql.SQL("mfinalfunc_modify = {}").format(sql.SQL(MODIFY[row["mfinalfunc_modify"]])))
        if row["minitcond"] is not None:
            options.append(sql.SQL("minitcond = {}").format(sql.Literal(row["minitcond"])))
    if row["sortop"]:
        options.append(sql.SQL("sortop = operator({})").format(sql.SQL(_bare(row["sortop"]))))
    if row["aggregate_kind"] == "h":
        options.append(sql.SQL("hypothetical"))
    options.append(sql.SQL("parallel = {}").format(sql.SQL(PARALLEL[row["parallel"]])))
    return sql.SQL("create aggregate {} ({})").format(_name(row), sql.SQL(", ").join(options))


def _keyed(rows: tuple[dict[str, Any], ...]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(r["schema"], r["name"], r["args"]): r for r in rows}


def _changed(ctx: GapContext) -> tuple[dict[Any, dict[str, Any]], dict[Any, dict[str, Any]], list[Any]]:
    have, want = _keyed(ctx.current.rows("aggregates")), _keyed(ctx.target.rows("aggregates"))
    changed = [
        key for key in sorted(set(have) | set(want))
        if key not in have or key not in want or any(have[key][f] != want[key][f] for f in DEFINITION)
    ]
    return have, want, changed


@concern("aggregate_drops", priority=5, stage="before")
def drop_aggregates(ctx: GapContext) -> list[sql.Composable]:
    have, _, changed = _changed(ctx)
    return [sql.SQL("drop aggregate {}").format(_name(have[key])) for key in changed if key in have]


@concern("aggregates", priority=6, stage="before")
def create_aggregates(ctx: GapContext) -> list[sql.Composable]:
    _, want, changed = _changed(ctx)
    return [create_aggregate(want[key]) for key in changed if key in want]
