"""Converge a pair of schemas both ways through the real pipeline, judged by the catalog comparison.

Used by the property test (generated pairs) and by the data-file case runner (kept pairs). Each
direction: plan live -> desired with `build_plan` (which verifies on a scratch copy), `apply_plan`
on live, then `catalog.compare` of live against a database loaded straight from the desired SQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from pgdump import compare_dumps, dump_schema
from psycopg import sql

from flatrender_schema import catalog
from flatrender_schema.apply import ApplyOptions, apply_plan
from flatrender_schema.desired import load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.errors import SchemaError
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.postgres.connect import connect, with_dbname
from flatrender_schema.scratch import DevServer
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

TODAY = dt.date(2026, 11, 25)


@dataclass
class Outcome:
    """What one direction left behind: an error from plan/apply, or a residual catalog difference."""

    direction: str
    error: str | None = None
    residual: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    dump_residual: list[str] = field(default_factory=list)  # what a canonical pg_dump still tells apart

    @property
    def ok(self) -> bool:
        return self.error is None and not self.residual and not self.dump_residual

    def describe(self) -> str:
        head = f"{self.direction}: " + (f"error: {self.error}" if self.error else "residual catalog diff:")
        body = "\n    ".join((self.residual + self.dump_residual)[:20])
        plan = "\n    ".join(s.replace("\n", " ") for s in self.steps[:40])
        return f"{head}\n    {body}" + (f"\n  plan:\n    {plan}" if plan else "")


class LoadError(Exception):
    """A side's SQL does not load on PostgreSQL: the generator (or the case) is wrong, not the tool."""


@contextlib.contextmanager
def scratch_database(admin: psycopg.Connection, url: str, purpose: str) -> Iterator[psycopg.Connection]:
    name = f"prop_{purpose}_{secrets.token_hex(4)}"
    admin.execute(sql.SQL("create database {} template template0").format(sql.Identifier(name)))
    conn = connect(with_dbname(url, name), autocommit=True)
    try:
        yield conn
    finally:
        conn.close()
        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


USER_TABLES = """
    select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
      and n.nspname not like 'pg\\_%'
"""


def _load(conn: psycopg.Connection, text: str, what: str) -> None:
    """Load a side's SQL, then empty every table: rows are not what this judge compares, and a
    convergence that fails only because of rows (a NOT NULL over NULLs) says nothing about the tool."""
    try:
        conn.execute(text.encode())
    except psycopg.Error as exc:
        raise LoadError(f"{what} does not load: {(exc.diag.message_primary or str(exc)).strip()}") from None
    tables = [r[0] for r in conn.execute(USER_TABLES).fetchall()]
    if tables:
        conn.execute(f"truncate {', '.join(tables)} cascade".encode())


def _one_way(
    live: psycopg.Connection,
    desired_sql: str,
    expected: catalog.Snapshot,
    expected_dump: str,
    dev: DevServer,
    direction: str,
) -> Outcome:
    out = Outcome(direction)
    with tempfile.TemporaryDirectory(prefix="prop_") as tmp:
        path = Path(tmp) / "desired.sql"
        path.write_text(desired_sql)
        try:
            plan = build_plan(live, load_plain([path]), dev, get_engine("results"), PlanOptions(TODAY))
            out.steps = [s.sql for s in plan.steps]
            apply_plan(live, plan, ApplyOptions(frozenset({"all"})))
        except SchemaError as exc:
            out.error = str(exc)
            return out
        except Exception as exc:  # a crash is a failure to report, not a reason to stop judging
            out.error = f"{type(exc).__name__}: {exc}"
            return out
    out.residual = catalog.compare(catalog.read_snapshot(live, ALWAYS_EXCLUDED), expected)
    out.dump_residual = compare_dumps(_dump(live), expected_dump).describe()
    return out


def _dump(conn: psycopg.Connection) -> str:
    return dump_schema(conn.info.dsn, conn.info.server_version // 10000)


def converge_both_ways(
    url: str,
    dev: DevServer,
    from_sql: str,
    to_sql: str,
    reuse: tuple[psycopg.Connection, psycopg.Connection] | None = None,
) -> list[Outcome]:
    """Plan and apply A -> B and B -> A; one Outcome per direction.

    `reuse`: two empty databases to load into instead of fresh ones (the caller empties them again).
    """
    if reuse is not None:
        return _converge(*reuse, dev, from_sql, to_sql)
    with (
        connect(url, autocommit=True) as admin,
        scratch_database(admin, url, "a") as a,
        scratch_database(admin, url, "b") as b,
    ):
        return _converge(a, b, dev, from_sql, to_sql)


def _converge(
    a: psycopg.Connection, b: psycopg.Connection, dev: DevServer, from_sql: str, to_sql: str
) -> list[Outcome]:
    _load(a, from_sql, "from.sql")
    _load(b, to_sql, "to.sql")
    snap_a = catalog.read_snapshot(a, ALWAYS_EXCLUDED)
    snap_b = catalog.read_snapshot(b, ALWAYS_EXCLUDED)
    dump_a, dump_b = _dump(a), _dump(b)  # before either side is changed
    forward = _one_way(a, to_sql, snap_b, dump_b, dev, "from -> to")
    backward = _one_way(b, from_sql, snap_a, dump_a, dev, "to -> from")
    return [forward, backward]


def ensure_roles(url: str, roles: Iterable[str]) -> list[str]:
    """Create the roles the cluster lacks (NOLOGIN); returns those created, for the caller to drop."""
    created = []
    with connect(url, autocommit=True) as admin:
        for role in sorted(set(roles)):
            if not admin.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone():
                admin.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
                created.append(role)
    return created


def drop_roles(url: str, roles: Iterable[str]) -> None:
    """Drop roles this suite created (never pre-existing ones); their grants live in dropped databases."""
    with connect(url, autocommit=True) as admin:
        for role in roles:
            with contextlib.suppress(psycopg.Error):
                admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(role)))
