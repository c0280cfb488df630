"""Statements run on scratch databases (the shadow, copies of live), and the gap layer run there.

Scratch databases hold no rows and see no other sessions: an online build is just a build there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence

import psycopg
from psycopg import sql

from flatrender_schema import catalog, gaps
from flatrender_schema.batches import execute_all
from flatrender_schema.desired import Desired
from flatrender_schema.errors import PlanError
from flatrender_schema.focus import Focus
from flatrender_schema.plan_failures import named_failures
from flatrender_schema.step import Step
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

# Fresh catalogs without statistics make catalog queries slow; the tables themselves are empty.
ANALYZE_CATALOGS = "analyze " + ", ".join(
    f"pg_catalog.{t}"
    for t in (
        "pg_class", "pg_attribute", "pg_attrdef", "pg_constraint", "pg_depend", "pg_description",
        "pg_index", "pg_inherits", "pg_namespace", "pg_proc", "pg_trigger", "pg_type",
    )
)
# Statements after which a copy's catalog statistics are worth refreshing (a few change nothing).
ANALYZE_AFTER = 200
# How often the gap layer may run again: a concern may create an object another then owns or comments.
GAP_PASSES = 3


def execute(conn: psycopg.Connection, steps: Sequence[Step | str], what: str) -> None:
    """Run planned steps on a scratch database in their plain form: it may be inside a transaction
    (a cached shadow's, rolled back), where CONCURRENTLY cannot run. A text is a statement the plan
    does not hold (the checks of reference rows): run as it is."""
    plain = [s if isinstance(s, str) else s.plain_sql for s in steps]

    def fail(index: int, exc: psycopg.Error) -> None:
        msg = (exc.diag.message_primary or str(exc)).strip()
        raise PlanError(f"{what} fails on the scratch copy: {msg}\n  statement: {plain[index]}") from None

    execute_all(conn, plain, fail, alone=[not isinstance(s, str) and s.plain_runs_alone for s in steps])


def as_text(conn: psycopg.Connection, stmts: list[sql.Composable]) -> list[str]:
    return [s.as_string(conn) + ";" for s in stmts]


def as_steps(conn: psycopg.Connection, stmts: list[sql.Composable], source: str) -> list[Step]:
    return [Step.parse(text, source) for text in as_text(conn, stmts)]


@contextlib.contextmanager
def rolled_back(conn: psycopg.Connection) -> Iterator[None]:
    conn.execute("begin")
    try:
        yield
    finally:
        conn.execute("rollback")


def run_gaps(
    conn: psycopg.Connection,
    desired: Desired,
    current: catalog.Snapshot,
    target: catalog.Snapshot,
    stage: str = "after",
) -> list[Step]:
    # Every concern compares an object's rows on the two sides: a row identical on both needs nothing.
    # Scratch databases are the dev user's: what it owns there, nobody declared.
    ctx = gaps.GapContext(desired, *catalog.differing(current, target), default_owner=conn.info.user)
    out: list[Step] = []
    for c in gaps.load_concerns(stage):
        with named_failures(f"the gap concern {c.name!r}", lambda: catalog.differing_objects(current, target)):
            statements = c.compare(ctx)
        out.extend(as_steps(conn, statements, c.name))
    return out


def close_gaps(
    conn: psycopg.Connection,
    desired: Desired,
    current: catalog.Snapshot,
    target: catalog.Snapshot,
    what: str,
    skip: Callable[[str, str], bool] | None = None,
    only: Focus | None = None,
) -> tuple[list[Step], catalog.Snapshot]:
    """Run the gap layer on `conn` until it has nothing more to say; the statements run and the
    snapshot after them."""
    out: list[Step] = []
    for _ in range(GAP_PASSES):
        changes = run_gaps(conn, desired, current, target)
        if not changes:
            break
        execute(conn, changes, what)
        out += changes
        current = catalog.read_snapshot(conn, ALWAYS_EXCLUDED, only)
        if skip is not None:
            current = current.excluding(skip)
        if catalog.equal(current, target):
            break
    return out, current
