"""The legacy engine: PyPI migra 3.0.x (extra `migra`), kept selectable with `--engine migra`.

Its schemainspect imports pkg_resources (gone in setuptools 81) and it talks SQLAlchemy, so it gets
its own connections, built from ours (same server, database, user and password).
"""

from __future__ import annotations

from typing import Any

import psycopg

from flatrender_schema.engine.fixes import correct_statements
from flatrender_schema.engine.inspection import (
    drop_attached_indexes,
    drop_domain_enums,
    fill_collation_locales,
    prepared_pair,
    readd_with_own_index,
    split_statements,
)
from flatrender_schema.engine.interface import Scope
from flatrender_schema.errors import PlanError
from flatrender_schema.focus import Focus


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


def _migra() -> Any:
    try:
        import migra
        import schemainspect
        import sqlalchemy
    except ImportError as exc:
        raise PlanError(
            f"the migra engine is not installed ({exc})",
            hint="pip install 'flatrender-schema[migra]', or use --engine results",
        ) from None
    return migra, schemainspect, sqlalchemy


class MigraEngine:
    name = "migra"
    inspection_type = None  # its model holds a SQLAlchemy engine: not kept

    def inspect(self, conn: psycopg.Connection, only: Focus | None = None) -> Any:
        # `only` is an optimisation the engine may skip: this one always inspects everything.
        _, schemainspect, sqlalchemy = _migra()
        engine = sqlalchemy.create_engine(_sqlalchemy_url(conn))
        try:
            with engine.connect() as c:
                inspector = schemainspect.get_inspector(c)
        finally:
            engine.dispose()
        drop_attached_indexes(inspector)
        drop_domain_enums(inspector)
        fill_collation_locales(inspector, conn)
        return inspector

    def diff_inspected(self, source: Any, target: Any, scope: Scope) -> list[str]:
        migra, _, _ = _migra()
        with prepared_pair(source, target, scope) as (before, after, additions):
            m = migra.Migration(before, after)
            m.set_safety(False)
            m.add_all_changes(privileges=False)
            statements = correct_statements(split_statements(m.sql))
            return additions + readd_with_own_index(statements, before, after)
