"""Apply on a Citus coordinator: the main transaction runs its DDL over one connection per node.

By default Citus runs a statement touching many shards over parallel connections, and then refuses
a later statement of the same transaction that must see those shards over one connection (`cannot
modify table "…" because there was a parallel operation on a distributed table in the transaction`,
e.g. a foreign key to a reference table after an ALTER of the same table). Sequential mode, for the
transaction only, is Citus's own remedy; a schema change is not the place where parallelism pays.
"""

from __future__ import annotations

import psycopg

from flatrender_schema.citus.judge import has_citus


def prepare_transaction(conn: psycopg.Connection) -> None:
    """Inside the apply's main transaction: Citus's sequential mode, when the database is Citus."""
    if has_citus(conn):
        conn.execute("set local citus.multi_shard_modify_mode to 'sequential'")
