"""Scratch work on a dev server: databases and roles we create, and remove again, whatever happens.

The dev server may be the target's own server. Roles are cluster-wide, so a role is created only when
missing and dropped afterwards only if we created it; scratch databases get unique names.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import time
from collections.abc import Callable, Iterable, Iterator

import psycopg
from psycopg import sql

from flatrender_schema.citus import shadow as citus_shadow
from flatrender_schema.postgres.connect import connect, with_dbname

SCRATCH_PREFIX = "frs_scratch_"


class DevServer:
    """A server where the tool may create and drop scratch databases (and missing roles)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._admin = connect(url, autocommit=True)
        self._databases: list[str] = []
        self._roles: list[str] = []

    @property
    def major(self) -> int:
        return int(self._admin.info.server_version // 10000)

    def ensure_roles(self, names: Iterable[str]) -> None:
        for name in sorted(set(names)):
            exists = self._admin.execute("select 1 from pg_roles where rolname = %s", [name]).fetchone()
            if not exists:
                self._admin.execute(sql.SQL("create role {} nologin").format(sql.Identifier(name)))
                self._roles.append(name)

    @contextlib.contextmanager
    def roles(self, names: Iterable[str], keep: bool = False) -> Iterator[None]:
        """Roles present for the duration of one piece of scratch work; those created are dropped after
        (kept with `keep`, when a cached shadow database grants to them)."""
        created_before = len(self._roles)
        self.ensure_roles(names)
        try:
            yield
        finally:
            for role in [] if keep else reversed(self._roles[created_before:]):
                with contextlib.suppress(psycopg.Error):
                    self._admin.execute(sql.SQL("drop owned by {}").format(sql.Identifier(role)))
                    self._admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(role)))
            del self._roles[created_before:]

    def create_database(self, purpose: str, template: str | None = None) -> str:
        """A new scratch database: empty, or a file copy of `template` (which must have no connections)."""
        name = f"{SCRATCH_PREFIX}{purpose}_{os.getpid()}_{secrets.token_hex(4)}"
        if template:
            stmt = sql.SQL("create database {} template {} strategy file_copy").format(
                sql.Identifier(name), sql.Identifier(template)
            )
            for attempt in range(50):  # a just-closed session may take a moment to leave the template
                citus_shadow.release(self._admin, template)  # Citus: its daemon's session blocks the copy
                try:
                    self._admin.execute(stmt)
                    break
                except psycopg.errors.ObjectInUse:
                    if attempt == 49:
                        raise
                    time.sleep(0.05)
        else:
            self._admin.execute(sql.SQL("create database {} template template0").format(sql.Identifier(name)))
        self._databases.append(name)
        return name

    @contextlib.contextmanager
    def cached_database(
        self, purpose: str, key: str, build: Callable[[psycopg.Connection], None]
    ) -> Iterator[psycopg.Connection]:
        """A database kept between runs under a name derived from `key`, built by `build` when missing.

        Built under a temporary name and renamed when complete, so a half-built one is never reused.
        """
        name = f"{SCRATCH_PREFIX}{purpose}_cache_{hashlib.sha256(key.encode()).hexdigest()[:20]}"
        exists = self._admin.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
        if not exists:
            tmp = self.create_database(purpose)
            with connect(self.url_for(tmp), autocommit=True) as conn:
                build(conn)
            citus_shadow.release(self._admin, tmp)  # Citus: its daemon's session blocks the rename
            self._admin.execute(
                sql.SQL("alter database {} rename to {}").format(sql.Identifier(tmp), sql.Identifier(name))
            )
            self._databases.remove(tmp)
        conn = connect(self.url_for(name), autocommit=True)
        try:
            yield conn
        finally:
            conn.close()

    def url_for(self, dbname: str) -> str:
        return with_dbname(self.url, dbname)

    @contextlib.contextmanager
    def database(self, purpose: str, template: str | None = None) -> Iterator[psycopg.Connection]:
        """A fresh scratch database, connected in autocommit mode; dropped on exit."""
        name = self.create_database(purpose, template)
        conn = connect(self.url_for(name), autocommit=True)
        try:
            yield conn
        finally:
            conn.close()
            self.drop_database(name)

    def drop_database(self, name: str) -> None:
        with contextlib.suppress(psycopg.Error):
            self._admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        if name in self._databases:
            self._databases.remove(name)

    def close(self) -> None:
        """Drop every database, then every role, this object created."""
        for name in list(self._databases):
            self.drop_database(name)
        for role in reversed(self._roles):
            with contextlib.suppress(psycopg.Error):
                self._admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(role)))
        self._roles.clear()
        self._admin.close()

    def __enter__(self) -> DevServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
