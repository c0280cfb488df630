"""Identity columns' kind and sequence options (START, INCREMENT, MINVALUE, MAXVALUE, CACHE, CYCLE).

The engines create an identity column with the default options and never compare them afterwards.
"""

from __future__ import annotations

from psycopg import sql

from flatrender_schema.catalog.areas.columns import IDENTITY_OPTIONS
from flatrender_schema.gaps import GapContext, concern
from flatrender_schema.gaps.objects import column_pairs

KINDS = {"a": "always", "d": "by default"}

# Moves a sequence's position into new bounds before they are set (PostgreSQL refuses bounds that
# exclude it): clamped into them, so a position already inside stays where it is.
_INTO_BOUNDS = """select setval(s.seq,
       least(greatest(coalesce(pg_sequence_last_value(s.seq), p.seqstart), {min}), {max}),
       coalesce(pg_sequence_last_value(s.seq) between {min} and {max}, false))
  from (select pg_get_serial_sequence({table}, {column})::regclass as seq) s
  join pg_sequence p on p.seqrelid = s.seq"""


def _into_new_bounds(cur: dict, want: dict) -> list[sql.Composable]:
    """The position moved, when the new bounds are narrower than the old ones."""
    low, high = int(want["identity_min"]), int(want["identity_max"])
    if low <= int(cur["identity_min"]) and high >= int(cur["identity_max"]):
        return []
    table = sql.Literal(sql.Identifier(want["schema"], want["table"]).as_string(None))
    return [sql.SQL(_INTO_BOUNDS).format(
        min=sql.Literal(low), max=sql.Literal(high), table=table, column=sql.Literal(want["name"])
    )]


@concern("identity", priority=16)
def compare_identity(ctx: GapContext) -> list[sql.Composable]:
    out: list[sql.Composable] = []
    for cur, want in column_pairs(ctx.current, ctx.target):
        if not cur["identity"] or not want["identity"] or cur["type"] != want["type"]:
            continue  # adding or dropping an identity, or a new type, is the engine's
        sets: list[sql.Composable] = []
        if cur["identity"] != want["identity"]:
            sets.append(sql.SQL("set generated {}").format(sql.SQL(KINDS[want["identity"]])))
        for field, keyword in IDENTITY_OPTIONS:
            if cur[field] != want[field]:
                sets.append(sql.SQL("set {} {}").format(sql.SQL(keyword), sql.Literal(int(want[field]))))
        if cur["identity_cycle"] != want["identity_cycle"]:
            sets.append(sql.SQL("set cycle" if want["identity_cycle"] else "set no cycle"))
        if sets:
            out += _into_new_bounds(cur, want)
            out.append(
                sql.SQL("alter table {} alter column {} {}").format(
                    sql.Identifier(want["schema"], want["table"]), sql.Identifier(want["name"]), sql.SQL(" ").join(sets)
                )
            )
    return out
