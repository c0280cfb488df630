"""The proof of a pull: the written tree, built in a shadow database, judged equal to live.

The same judge (`catalog.compare`) and the same scope as `schema plan`: with manifests only the
services' schemas count, ignore patterns are left out, and partitions of declared partitioned tables
that only live has are the partition policy's (ops-created), not drift.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg

from flatrender_schema import catalog
from flatrender_schema.declare import declared_roles
from flatrender_schema.desired import Desired
from flatrender_schema.errors import SchemaError
from flatrender_schema.planner import scope_of
from flatrender_schema.postgres.connect import connect
from flatrender_schema.pull.build import parallel_runner
from flatrender_schema.scratch import DevServer
from flatrender_schema.scratch_work import ANALYZE_CATALOGS
from flatrender_schema.shadow import build_shadow, referenced_roles
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

BUILDERS = min(4, os.cpu_count() or 1)  # connections building the shadow: one backend uses one core


@contextlib.contextmanager
def shadow_of(
    live: psycopg.Connection, desired: Desired, dev: DevServer, today: dt.date, live_roles: set[str] | None = None
) -> Iterator[psycopg.Connection]:
    """`desired` built in a scratch database (dropped on exit), with the roles live's objects name
    (`live_roles`, read when not given); on as many connections as there are cores (`pull.build`)."""
    roles = referenced_roles(live) if live_roles is None else live_roles
    with dev.roles(set(declared_roles(desired)) | roles), dev.database("pull") as shadow:
        url = dev.url_for(shadow.info.dbname)
        build_shadow(shadow, desired, today, parallel_runner(lambda: connect(url, autocommit=True), BUILDERS))
        yield shadow


def _ops_partitions(desired: Desired, live: catalog.Snapshot, shadow: catalog.Snapshot) -> set[str]:
    declared = {f"{s.schema}.{t}" for s in desired.services for t in s.manifest.partitioned}
    in_shadow = {f"{r['schema']}.{r['name']}" for r in shadow.rows("relations")}
    return {
        f"{r['schema']}.{r['name']}"
        for r in live.rows("relations")
        if set(r.get("parents") or ()) & declared
        and f"{r['schema']}.{r['name']}" not in in_shadow
        and (r.get("partition_bound") or "").upper().startswith("FOR VALUES FROM")
    }


def judge(
    live_snap: catalog.Snapshot, shadow_snap: catalog.Snapshot, desired: Desired, ignore: tuple[str, ...] = ()
) -> list[str]:
    """The differences between live and the shadow within the plan's scope (empty: proved)."""
    scope = scope_of(desired)
    ops = _ops_partitions(desired, live_snap, shadow_snap)
    if scope.schemas is None and not scope.ignore and not ops and not ignore:
        return catalog.compare(live_snap, shadow_snap)  # nothing out of scope: no pass over every row

    def skip(schema: str, name: str) -> bool:
        full = f"{schema}.{name}"
        return scope.excludes(schema, name) or full in ops or any(fnmatch.fnmatchcase(full, p) for p in ignore)

    return catalog.compare(live_snap.excluding(skip), shadow_snap.excluding(skip))


def prove(
    live: psycopg.Connection, desired: Desired, dev: DevServer, today: dt.date, ignore: tuple[str, ...] = ()
) -> list[str]:
    """Build `desired` and judge it against live; a tree that does not build is one difference."""
    # Live is read in a second thread while the shadow is built (another backend, another core); its
    # roles first, so that the build does not wait for the live connection.
    roles = referenced_roles(live)
    with ThreadPoolExecutor(1, thread_name_prefix="live") as pool:
        live_snap = pool.submit(catalog.read_snapshot, live, ALWAYS_EXCLUDED)
        try:
            with shadow_of(live, desired, dev, today, roles) as shadow:
                shadow.execute(ANALYZE_CATALOGS)  # fresh catalogs without statistics read slowly
                shadow_snap = catalog.read_snapshot(shadow, ALWAYS_EXCLUDED)
        except SchemaError as exc:
            live_snap.cancel()
            return [f"the tree does not build: {exc}"]
        return judge(live_snap.result(), shadow_snap, desired, ignore)
