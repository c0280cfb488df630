"""Storage parameters of tables and materialized views (`WITH (fillfactor = 50)`,
`autovacuum_vacuum_scale_factor = 0.005`), and whether a table or sequence is UNLOGGED.

The engine writes neither a relation's reloptions nor (for sequences) its persistence. Options are
set as the desired state lists them, every one, after resetting those it does not have: PostgreSQL
keeps the options a SET leaves alone in place and appends the ones it names, so this leaves the
list in the desired state's order (the judge compares it as a list). Both are catalog changes, no
rewrite. SET LOGGED/UNLOGGED of a table rewrites it (the engine plans tables' own).

A TOAST table's options (`toast.autovacuum_enabled`) live on the TOAST relation; the judge lists them
after the table's own as `toast.name=value`, and ALTER TABLE sets and resets them by those names. An
index's options are in its definition, which the engine rebuilds the index for.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import row_pairs

_KEYWORD = {"r": "table", "m": "materialized view"}


def _options(row: dict[str, Any]) -> list[tuple[str, str]]:
    return [tuple(o.split("=", 1)) for o in row.get("options") or () if "=" in o]  # type: ignore[misc]


def _name(key: str) -> sql.Composable:
    """A reloption's name, `toast.` or not: each part an identifier."""
    return sql.SQL(".").join(sql.Identifier(part) for part in key.split("."))


@concern("storage_parameters", priority=12)
def compare_storage(ctx: GapContext) -> list[sql.Composable]:
    out: list[sql.Composable] = []
    for cur, want in row_pairs(ctx.current, ctx.target, "relations"):
        kind = want["kind"]
        relation = sql.Identifier(want["schema"], want["name"])
        if kind == cur["kind"] == "S" and cur["persistence"] != want["persistence"]:
            logged = "unlogged" if want["persistence"] == "u" else "logged"
            out.append(sql.SQL("alter sequence {} set {}").format(relation, sql.SQL(logged)))
        if kind != cur["kind"] or kind not in _KEYWORD or (cur.get("options") or []) == (want.get("options") or []):
            continue
        keyword = sql.SQL(_KEYWORD[kind])
        wanted = _options(want)
        dropped = sorted({k for k, _ in _options(cur)} - {k for k, _ in wanted})
        if dropped:
            out.append(sql.SQL("alter {} {} reset ({})").format(
                keyword, relation, sql.SQL(", ").join(_name(k) for k in dropped)))
        if wanted:
            out.append(sql.SQL("alter {} {} set ({})").format(keyword, relation, sql.SQL(", ").join(
                sql.SQL("{} = {}").format(_name(k), sql.Literal(v)) for k, v in wanted)))
    return out
