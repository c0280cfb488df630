"""apply_plan: execute a plan on the live database, all transactional steps in one transaction.

Refuses data-loss hazards that are not allowed by code, and refuses when the live schema no longer
matches the fingerprint the plan was computed against. A failing step rolls everything back and is
named in the error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pglast
import psycopg
from pglast import ast
from psycopg import sql

from flatrender_schema import catalog
from flatrender_schema.errors import ApplyError
from flatrender_schema.plan import Plan
from flatrender_schema.planner import ALWAYS_EXCLUDED

ADVISORY_LOCK_KEY = 0x66727363  # "frsc": serialises applies on one database


@dataclass(frozen=True)
class ApplyOptions:
    allow_hazards: frozenset[str] = frozenset()
    lock_timeout: str = "5s"
    statement_timeout: str = "0"


def refused_hazards(plan: Plan, allowed: Iterable[str]) -> set[str]:
    allow = set(allowed)
    if "all" in allow:
        return set()
    return set(plan.data_loss) - allow


def apply_plan(conn: psycopg.Connection, plan: Plan, options: ApplyOptions = ApplyOptions()) -> int:
    """Run `plan` on `conn` (autocommit connection). Returns the number of steps executed."""
    refused = refused_hazards(plan, options.allow_hazards)
    if refused:
        raise ApplyError(
            f"refusing to apply: the plan has data-loss hazards {', '.join(sorted(refused))}",
            hint="review the plan, then pass --allow-hazard CODE for each one you accept",
        )
    if plan.empty:
        return 0
    conn.execute("select pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
    try:
        live_fp = catalog.read_snapshot(conn, ALWAYS_EXCLUDED).fingerprint()
        if live_fp != plan.live_fingerprint:
            raise ApplyError(
                "refusing to apply: the live schema changed since the plan was made (drift)",
                hint="make a new plan against the current database",
            )
        numbered = list(enumerate(plan.steps, 1))
        conn.execute("select set_config('lock_timeout', %s, false)", [options.lock_timeout])
        conn.execute("select set_config('statement_timeout', %s, false)", [options.statement_timeout])
        # Before the transaction: idempotent steps that cannot share it (ALTER TYPE ... ADD VALUE).
        for number, step in numbered:
            if step.phase == "pre":
                _run(conn, step.sql, number, "nothing else was applied")
        with conn.transaction():
            for number, step in numbered:
                if step.phase == "main":
                    _run(conn, step.sql, number, "the transaction was rolled back, nothing of it applied")
        # After it: online steps, each idempotent, so rerunning apply resumes here.
        for number, step in numbered:
            if step.phase == "post":
                _drop_invalid_index(conn, step.sql)
                _run(conn, step.sql, number, "the transaction had committed; rerun apply to resume")
        return len(plan.steps)
    finally:
        conn.execute("select pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


def _run(conn: psycopg.Connection, sql_text: str, number: int, consequence: str) -> None:
    try:
        conn.execute(sql_text.encode())
    except psycopg.Error as exc:
        msg = (exc.diag.message_primary or str(exc)).strip()
        first = sql_text.strip().splitlines()[0][:160]
        raise ApplyError(f"step {number} failed ({consequence}): {msg}\n  statement: {first}") from None


def _drop_invalid_index(conn: psycopg.Connection, sql_text: str) -> None:
    """A failed CREATE INDEX CONCURRENTLY leaves an invalid index behind; IF NOT EXISTS would keep it."""
    try:
        node = pglast.parse_sql(sql_text)[0].stmt
    except (pglast.parser.ParseError, IndexError):
        return
    if not (isinstance(node, ast.IndexStmt) and node.concurrent and node.idxname and node.relation):
        return
    schema = node.relation.schemaname or "public"
    invalid = conn.execute(
        "select 1 from pg_index x join pg_class i on i.oid = x.indexrelid join pg_namespace n on n.oid = "
        "i.relnamespace where n.nspname = %s and i.relname = %s and not x.indisvalid",
        [schema, node.idxname]).fetchone()
    if invalid:
        conn.execute(sql.SQL("drop index concurrently if exists {}.{}").format(
            sql.Identifier(schema), sql.Identifier(node.idxname)))
