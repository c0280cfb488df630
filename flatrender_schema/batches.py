"""Running many DDL statements fast: a transaction per batch instead of a commit per statement.

Scratch databases only. A batch that fails rolls back whole, and the caller goes on statement by
statement from there (where retries and exact error locations live); statements that cannot share a
transaction (transaction control, CONCURRENTLY, VACUUM, ...) end a batch and run alone. Inside a
transaction the caller opened, batches and single statements run under savepoints, so a failure
undoes only itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import psycopg

BATCH_SIZE = 100  # a CREATE TABLE takes several locks; the server's lock table is shared and finite
_LEADING_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*\n?|/\*.*?\*/)*", re.S)
_ALONE = re.compile(
    r"(?:begin|start|commit|end|rollback|abort|savepoint|release|prepare|vacuum|reindex|cluster"
    r"|create\s+database|drop\s+database|alter\s+system|checkpoint)\b"
    r"|(?:create|drop|alter|refresh)\b[^;]*?\bconcurrently\b",
    re.I | re.S,
)


def runs_alone(statement: str) -> bool:
    """True for a statement of desired-state SQL (split, not parsed) that must not share a transaction
    with others; a planned step knows it from its tree (`Step.runs_alone`)."""
    return bool(_ALONE.match(statement, _LEADING_COMMENTS.match(statement).end()))  # type: ignore[union-attr]


def execute_batched(
    conn: psycopg.Connection, statements: Sequence[str], size: int = BATCH_SIZE, alone: Sequence[bool] | None = None
) -> int:
    """Run `statements` on an autocommit connection in all-or-nothing batches, in order, until one
    fails or one must run alone (`alone[i]`, else `runs_alone`); return how many ran (the caller runs
    the rest one by one)."""
    done = 0
    while done < len(statements):
        batch: list[str] = []
        for i, stmt in enumerate(statements[done : done + size], done):
            if alone[i] if alone is not None else runs_alone(stmt):
                break
            batch.append(stmt)
        if not batch:
            return done
        try:
            _guarded(conn, "\n;\n".join(batch), "frs_batch")  # one simple query: one transaction
        except psycopg.Error:
            return done
        done += len(batch)
    return done


def _in_transaction(conn: psycopg.Connection) -> bool:
    return conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


def _guarded(conn: psycopg.Connection, text: str, savepoint: str) -> None:
    if not _in_transaction(conn):
        conn.execute(text.encode())
        return
    try:
        conn.execute(f"savepoint {savepoint};\n{text}\n;release savepoint {savepoint}".encode())
    except psycopg.Error:
        conn.execute(f"rollback to savepoint {savepoint}; release savepoint {savepoint}".encode())
        raise


def _execute_one(conn: psycopg.Connection, statement: str) -> None:
    """Run one statement; inside an open transaction, a failure undoes only this statement."""
    _guarded(conn, statement, "frs_one")


def execute_all(
    conn: psycopg.Connection,
    statements: Sequence[str],
    on_error: Callable[[int, psycopg.Error], None],
    alone: Sequence[bool] | None = None,
) -> None:
    """Run every statement in order: in batches while that works, one by one where a batch fails
    (or a statement must run alone). `on_error(index, error)` sees each single statement that fails,
    and raises or lets the run go on."""
    i = 0
    while i < len(statements):
        i += execute_batched(conn, statements[i:], alone=alone[i:] if alone is not None else None)
        for j in range(i, min(i + BATCH_SIZE, len(statements))):
            try:
                _execute_one(conn, statements[j])
            except psycopg.Error as exc:
                on_error(j, exc)
        i += BATCH_SIZE
