"""apply_plan: execute a plan on the live database, all transactional steps in one transaction.

Refuses data-loss hazards that are not allowed by code, and refuses when the live schema no longer
matches the fingerprint the plan was computed against. A failing step rolls everything back and is
named in the error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import psycopg

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
        transactional = [s for s in plan.steps if s.transactional]
        outside = [s for s in plan.steps if not s.transactional]
        index = {id(s): i for i, s in enumerate(plan.steps, 1)}
        with conn.transaction():
            conn.execute("select set_config('lock_timeout', %s, true)", [options.lock_timeout])
            conn.execute("select set_config('statement_timeout', %s, true)", [options.statement_timeout])
            for step in transactional:
                _run(conn, step.sql, index[id(step)])
        for step in outside:
            _run(conn, step.sql, index[id(step)])
        return len(plan.steps)
    finally:
        conn.execute("select pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


def _run(conn: psycopg.Connection, sql_text: str, number: int) -> None:
    try:
        conn.execute(sql_text.encode())
    except psycopg.Error as exc:
        msg = (exc.diag.message_primary or str(exc)).strip()
        first = sql_text.strip().splitlines()[0][:160]
        raise ApplyError(f"step {number} failed, nothing was applied: {msg}\n  statement: {first}") from None
