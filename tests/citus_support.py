"""A real Citus cluster for the suite: a coordinator and two workers, three ephemeral PostgreSQL 15
clusters with `shared_preload_libraries = 'citus'`, started once per session when a Citus test asks
(and a fourth such server, not joined, as a dev server whose scratch databases are single-node Citus).

Nodes reach each other over their Unix sockets (a socket directory is a libpq host), so no TCP port
is opened. Citus's metadata is per database: `CitusCluster.database()` creates one database on every
node, installs the extension in each and joins the workers from the coordinator
(`citus_set_coordinator_host`, `citus_add_node`). Without Citus installed the tests skip, with the
reason; under CI=true they fail (`.ci/run` builds it from ../shared/citus).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from flatrender_schema.postgres.cluster import PORT, Cluster, ephemeral, find_servers

CITUS_MAJOR = 15  # Citus 13.2 in ../shared/citus supports PostgreSQL 15
CITUS_SETTINGS = {"shared_preload_libraries": "citus", "max_connections": "150"}


def citus_missing() -> str | None:
    """Why a Citus cluster cannot be started here, or None."""
    server = next((s for s in find_servers() if s.major == CITUS_MAJOR), None)
    if server is None:
        return f"no PostgreSQL {CITUS_MAJOR} server (Citus 13.2 needs 15)"
    libdir = Path(server.tool("postgres")).resolve().parent.parent / "lib"  # bindir may hold symlinks
    if not (libdir / "citus.so").exists():
        return f"Citus is not installed in {libdir} (run ../shared/citus/build.sh)"
    return None


@dataclass
class CitusCluster:
    coordinator: Cluster
    workers: tuple[Cluster, ...]
    dev: Cluster | None = None  # a single-node Citus server for scratch work (shadows kept with --reuse-shadow)
    databases: list[str] = field(default_factory=list)

    @property
    def nodes(self) -> tuple[Cluster, ...]:
        return (self.coordinator, *self.workers)

    def create_database(self, purpose: str = "t") -> str:
        """A database on every node with Citus joined into one cluster; the coordinator's URL."""
        name = f"citus_{purpose}_{secrets.token_hex(3)}"
        for node in self.nodes:
            with psycopg.connect(node.url(), autocommit=True) as admin:
                admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
            with psycopg.connect(node.url(name), autocommit=True) as conn:
                conn.execute("create extension citus")
        self.databases.append(name)
        with psycopg.connect(self.coordinator.url(name), autocommit=True) as conn:
            conn.execute("select citus_set_coordinator_host(%s, %s)", [str(self.coordinator.socket_dir), PORT])
            for worker in self.workers:
                conn.execute("select citus_add_node(%s, %s)", [str(worker.socket_dir), PORT])
        return self.coordinator.url(name)

    def drop_database(self, name: str) -> None:
        for node in self.nodes:
            with psycopg.connect(node.url(), autocommit=True) as admin:
                admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        self.databases.remove(name)

    @contextlib.contextmanager
    def database(self, purpose: str = "t") -> Iterator[str]:
        url = self.create_database(purpose)
        name = self.databases[-1]
        try:
            yield url
        finally:
            self.drop_database(name)

    def worker_url(self, index: int, url: str) -> str:
        """The same database on worker `index`."""
        name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
        return self.workers[index].url(str(name))


@pytest.fixture(scope="session")
def citus_cluster() -> Iterator[CitusCluster]:
    reason = citus_missing()
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Citus tests cannot run under CI=true: {reason}")
        pytest.skip(reason)
    with contextlib.ExitStack() as stack:
        nodes = [stack.enter_context(ephemeral(CITUS_MAJOR, strict=True, settings=CITUS_SETTINGS)) for _ in range(4)]
        yield CitusCluster(nodes[0], tuple(nodes[1:3]), nodes[3])


CASES = Path(__file__).parent / "citus" / "cases"
