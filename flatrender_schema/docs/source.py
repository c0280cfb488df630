"""The desired state as the shadow builds it, read back as a catalog snapshot for the docs."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

import psycopg

from flatrender_schema import catalog
from flatrender_schema.declare import declared_roles
from flatrender_schema.desired import Desired
from flatrender_schema.docs.model import Database, read_database
from flatrender_schema.planner import ALWAYS_EXCLUDED
from flatrender_schema.postgres.connect import connection
from flatrender_schema.scratch import DevServer
from flatrender_schema.shadow import build_shadow

# Monthly partitions ahead of "today" would change the docs every month; the docs describe the policy
# instead, so the shadow is built as of a date before any declared partition.
DOCS_DATE = dt.date(2000, 1, 1)


# The one thing docs need that the snapshot does not keep (it compares sets of columns): their order.
COLUMN_ORDER = """
    select n.nspname, c.relname, array_agg(a.attname::text order by a.attnum)
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f')
      and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    group by 1, 2
"""


# The areas the docs show (model.read_database); the others (functions, sequences, operators ...) are
# not shown, so not read.
DOC_AREAS = ("columns", "relations", "schemas", "types", "extensions", "indexes", "constraints", "triggers",
             "policies")


@dataclass(frozen=True)
class DesiredCatalog:
    snapshot: catalog.Snapshot
    column_order: dict[tuple[str, str], tuple[str, ...]]


def desired_snapshot(desired: Desired, dev: DevServer) -> DesiredCatalog:
    """Build `desired` in a scratch database on `dev` (dropped after) and read its snapshot.

    Read with `search_path = pg_catalog`, so every definition names its tables schema-qualified.
    """
    with dev.roles(declared_roles(desired)), dev.database("docs") as conn:
        build_shadow(conn, desired, DOCS_DATE)
        # No ANALYZE of the fresh catalogs first: at 2,000 tables it costs 0.55 s and saves 0.1 s of the read.
        return read_built(conn, dev.url_for(conn.info.dbname))


def read_built(conn: psycopg.Connection, url: str | None = None) -> DesiredCatalog:
    """The snapshot (of the areas the docs show) and column order of a built shadow database; with
    the database's `url`, read over a second connection too, sharing the areas (the server works on
    both at once: the catalog functions, not the transfer, are most of the time at scale)."""
    with contextlib.ExitStack() as stack:
        readers = [conn] if url is None else [conn, stack.enter_context(connection(url, autocommit=True))]
        for reader in readers:
            reader.execute("set search_path = pg_catalog")
        snapshot = catalog.read_snapshot(readers, ALWAYS_EXCLUDED, areas=DOC_AREAS)
    order = {(str(s), str(t)): tuple(cols) for s, t, cols in conn.execute(COLUMN_ORDER).fetchall()}
    return DesiredCatalog(snapshot, order)


def document(desired: Desired, dev: DevServer, title: str = "Database schema") -> Database:
    """The documented database of `desired`, as the shadow builds it on `dev`."""
    built = desired_snapshot(desired, dev)
    return read_database(built.snapshot, desired, title, built.column_order)
