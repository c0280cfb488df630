"""The legacy engine: PyPI migra 3.0.x (extra `migra`), kept selectable with `--engine migra`.

Its schemainspect imports pkg_resources (gone in setuptools 81) and it talks SQLAlchemy, so it gets
its own connections, built from ours (same server, database, user and password).
"""

from __future__ import annotations

from typing import Any

import psycopg

from flatrender_schema.engine import Scope
from flatrender_schema.engine.fixes import correct_statements
from flatrender_schema.engine.inspection import (
    align_equivalent_checks,
    apply_scope,
    drop_attached_indexes,
    enum_additions,
    escape_enum_labels,
    split_statements,
)
from flatrender_schema.errors import PlanError


def _sqlalchemy_url(conn: psycopg.Connection) -> Any:
    from sqlalchemy.engine import URL

    info = conn.info
    query = {"host": info.host} if info.host.startswith("/") else {}
    return URL.create(
        "postgresql+psycopg",
        username=info.user,
        password=info.password or None,
        host=None if query else info.host,
        port=info.port if not query else None,
        database=info.dbname,
        query=query | ({"port": str(info.port)} if query else {}),
    )


class MigraEngine:
    name = "migra"

    def diff(self, source: psycopg.Connection, target: psycopg.Connection, scope: Scope) -> list[str]:
        try:
            from migra import Migration
            from sqlalchemy import create_engine
        except ImportError as exc:
            raise PlanError(
                f"the migra engine is not installed ({exc})",
                hint="pip install 'flatrender-schema[migra]', or use --engine results",
            ) from None
        engines = [create_engine(_sqlalchemy_url(c)) for c in (source, target)]
        try:
            with engines[0].connect() as a, engines[1].connect() as b:
                m = Migration(a, b)
                for side, inspector in (("from", m.changes.i_from), ("to", m.changes.i_target)):
                    drop_attached_indexes(inspector)
                    apply_scope(inspector, scope, side)
                align_equivalent_checks(m.changes.i_from, m.changes.i_target)
                additions = enum_additions(m.changes.i_from, m.changes.i_target)
                escape_enum_labels(m.changes.i_from)
                escape_enum_labels(m.changes.i_target)
                m.set_safety(False)
                m.add_all_changes(privileges=False)
                sql = m.sql
        finally:
            for e in engines:
                e.dispose()
        return additions + correct_statements(split_statements(sql), source)
