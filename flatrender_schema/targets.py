"""Where plans run: the target (a URL, or the local embedded database) and the dev server for scratch work."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from psycopg import sql

from flatrender_schema.postgres.cluster import Cluster, ephemeral
from flatrender_schema.postgres.connect import connection
from flatrender_schema.scratch import DevServer

LOCAL_DATABASE = "flatrender"


def local_cluster(project_dir: Path) -> Cluster:
    return Cluster.local_cluster(project_dir)


def local_target_url(project_dir: Path) -> str:
    """Start the project's embedded cluster if needed and return the URL of its database."""
    cluster = local_cluster(project_dir).start()
    with connection(cluster.url(), autocommit=True) as admin:
        if not admin.execute("select 1 from pg_database where datname = %s", [LOCAL_DATABASE]).fetchone():
            admin.execute(sql.SQL("create database {}").format(sql.Identifier(LOCAL_DATABASE)))
    return cluster.url(LOCAL_DATABASE)


def resolve_target(database_url: str | None, project_dir: Path) -> str:
    return database_url or local_target_url(project_dir)


@contextlib.contextmanager
def dev_server(dev_url: str | None, want_major: int, settings: dict[str, str] | None = None) -> Iterator[DevServer]:
    """The given dev server, or an ephemeral cluster of the target's major version (removed afterwards),
    started with `settings` (e.g. Citus preloaded)."""
    if dev_url:
        with DevServer(dev_url) as dev:
            yield dev
        return
    with ephemeral(want_major, settings=settings) as cluster, DevServer(cluster.url()) as dev:
        yield dev
