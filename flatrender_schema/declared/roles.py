"""Roles: declared roles that the target's cluster lacks are created (NOLOGIN); none is ever dropped."""

from __future__ import annotations

import psycopg
from psycopg import sql

from flatrender_schema.declare import declared_roles
from flatrender_schema.desired import Desired


def missing_roles(conn: psycopg.Connection, desired: Desired) -> list[str]:
    wanted = declared_roles(desired)
    if not wanted:
        return []
    have = {
        r[0] for r in conn.execute("select rolname from pg_roles where rolname = any(%s)", [list(wanted)])
    }
    return [r for r in wanted if r not in have]


def role_statements(conn: psycopg.Connection, desired: Desired) -> list[sql.Composable]:
    return [sql.SQL("create role {} nologin").format(sql.Identifier(r)) for r in missing_roles(conn, desired)]
