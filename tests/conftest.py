"""Real PostgreSQL for the suite: one ephemeral cluster per session, fresh databases per test."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from citus_support import citus_cluster  # noqa: F401  (the Citus session fixture: tests/citus_support.py)
from psycopg import conninfo, sql

from flatrender_schema.engine import Focus, Scope, get_engine
from flatrender_schema.postgres.cluster import SUPERUSER, Cluster, ephemeral, find_servers
from flatrender_schema.postgres.connect import connect, with_dbname
from flatrender_schema.scratch import DevServer

REPO = Path(__file__).resolve().parents[1]
SCHEMA_DIR = REPO / "schema"
SHARED = Path(os.environ.get("SCHEMA_SHARED_DIR", REPO.parent / "shared"))
CORPUS = SHARED / "corpus" / "migra"
TODAY = dt.date(2026, 11, 25)
# Planted in every URL the suite uses; must never appear in any output, log or plan file.
SECRET = "FRS-canary-pw-" + secrets.token_hex(6)
# Everything the CLI printed during the session (stdout and stderr), for the secrets scan.
CAPTURED: list[str] = []
CLI_ARGS: list[str] = []  # each CLI run's arguments, joined


def record_output(*texts: str | None) -> None:
    CAPTURED.extend(t for t in texts if t)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """SCHEMA_TEST_PG_MAJOR, else the oldest server found (the floor); tests/test_versions.py runs every major."""
    if os.environ.get("SCHEMA_TEST_PG_MAJOR"):
        major = int(os.environ["SCHEMA_TEST_PG_MAJOR"])
    else:
        servers = find_servers()
        major = servers[0].major if servers else None
    with ephemeral(major, strict=major is not None) as c:
        yield c


@pytest.fixture(scope="session")
def server_url(cluster: Cluster) -> str:
    """The session server's URL, carrying a distinctive password (ignored: the socket is trust-only).

    Every URL the suite derives from it carries the password too, so every CLI run and plan file of the
    suite is a chance to leak it; tests/test_zz_no_secrets.py then scans all of them.
    """
    return cluster.url().replace(f"{SUPERUSER}@", f"{SUPERUSER}:{quote(SECRET, safe='')}@", 1)


class CountingDevServer(DevServer):
    """A dev server that records the purpose of each scratch database it creates."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.purposes: list[str] = []

    def create_database(self, purpose: str, template: str | None = None) -> str:
        self.purposes.append(purpose)
        return super().create_database(purpose, template)


class RecordingEngine:
    """The real engine, recording what each inspection was narrowed to (by database)."""

    def __init__(self, name: str = "results") -> None:
        self.inner = get_engine(name)
        self.name = self.inner.name
        self.inspection_type = self.inner.inspection_type
        self.inspections: list[tuple[str, Focus | None]] = []
        self.diffs: list[Focus | None] = []  # what each diff was narrowed to

    def inspect(self, conn: psycopg.Connection, only: Focus | None = None) -> Any:
        self.inspections.append((conn.info.dbname, only))
        return self.inner.inspect(conn, only)

    def diff_inspected(self, source: Any, target: Any, scope: Scope) -> list[str]:
        self.diffs.append(scope.only)
        return self.inner.diff_inspected(source, target, scope)


@pytest.fixture
def dev(server_url: str) -> Iterator[DevServer]:
    with DevServer(server_url) as d:
        yield d


class Databases:
    """Fresh databases on the session cluster, dropped at the end of the test."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.admin = connect(url, autocommit=True)
        self.names: list[str] = []
        self.conns: list[psycopg.Connection] = []

    def create(self, purpose: str = "t") -> str:
        name = f"test_{purpose}_{secrets.token_hex(4)}"
        self.admin.execute(sql.SQL("create database {} template template0").format(sql.Identifier(name)))
        self.names.append(name)
        return with_dbname(self.url, name)

    def connect(self, url: str) -> psycopg.Connection:
        conn = connect(url, autocommit=True)
        self.conns.append(conn)
        return conn

    def close_one(self, url: str) -> None:
        """Drop one database now (e.g. before dropping roles that own objects in it)."""
        name = str(conninfo.conninfo_to_dict(url)["dbname"])
        for c in self.conns:
            if not c.closed and c.info.dbname == name:
                c.close()
        self.admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        self.names.remove(name)

    def close(self) -> None:
        for c in self.conns:
            c.close()
        for name in self.names:
            self.admin.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )
        self.admin.close()


@pytest.fixture
def dbs(server_url: str) -> Iterator[Databases]:
    d = Databases(server_url)
    yield d
    d.close()


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """The real CLI, end to end, in a subprocess."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SCHEMA_DEV_URL")}
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "flatrender_schema", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=str(cwd or REPO),
        input=stdin,
        timeout=timeout,
    )
    record_output(result.stdout, result.stderr)
    CLI_ARGS.append(" ".join(args))
    return result
