"""Citus: the distribution of tables (create_distributed_table, create_reference_table, ...).

After every other concern: the tables exist by then (engine statements come first), and the shards
are made with the table's final grants. The logic is in flatrender_schema/citus/.
"""

from __future__ import annotations

from psycopg import sql

from flatrender_schema.citus import distribute
from flatrender_schema.citus.shadow import fk_order
from flatrender_schema.gaps import GapContext, concern


@concern("citus_distribution", priority=90)
def citus_distribution(ctx: GapContext) -> list[sql.Composable]:
    current = distribute.Side.of(ctx.current.rows("citus_tables"), ctx.current.rows("citus_colocation"))
    target = distribute.Side.of(ctx.target.rows("citus_tables"), ctx.target.rows("citus_colocation"))
    if not (current.tables or target.tables or current.groups or target.groups):
        return []
    return distribute.statements(current, target, fk_order(ctx.desired))
