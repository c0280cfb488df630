"""apply_plan: execute a plan on the live database, never half-applied.

- Refuses data-loss hazards that are not allowed by code, before anything runs.
- A session advisory lock serialises applies on one database (bounded wait, then a clear error).
- Refuses when the live schema no longer matches the fingerprint the plan was computed against (drift).
- "pre" steps (idempotent, e.g. ADD VALUE IF NOT EXISTS) run first, each on its own; every "main" step runs
  in one transaction with lock_timeout/statement_timeout, retried with backoff on lock timeouts; "post" steps
  (online index builds, validations; idempotent) run after it, so a rerun resumes them.
- Every attempt is recorded in the tool's own schema (`flatrender_schema.apply_history`).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import psycopg
from psycopg import errors, sql

from flatrender_schema import catalog
from flatrender_schema.citus import apply as citus_apply
from flatrender_schema.errors import ApplyError
from flatrender_schema.plan import Plan, Step
from flatrender_schema.redact import redact
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED, TOOL_SCHEMA

ADVISORY_LOCK_KEY = 0x66727363  # "frsc": serialises applies on one database

HISTORY_DDL = [
    sql.SQL("create schema if not exists {}").format(sql.Identifier(TOOL_SCHEMA)),
    sql.SQL(
        """create table if not exists {}.apply_history (
            id bigint generated always as identity primary key,
            started_at timestamptz not null,
            finished_at timestamptz not null default clock_timestamp(),
            duration_ms integer not null,
            outcome text not null check (outcome in ('applied', 'failed', 'refused', 'dry-run')),
            session_user_name text not null default session_user,
            actor text,
            steps_digest text not null,
            live_fingerprint text not null,
            desired_fingerprint text not null,
            steps integer not null,
            steps_done integer not null,
            error text,
            tool_version text not null
        )"""
    ).format(sql.Identifier(TOOL_SCHEMA)),
]


class DriftError(ApplyError):
    """The live schema changed since the plan was made."""


class LockBusy(ApplyError):
    """Another apply holds the database's apply lock."""


@dataclass(frozen=True)
class ApplyOptions:
    allow_hazards: frozenset[str] = frozenset()
    lock_timeout: str = "5s"
    statement_timeout: str = "0"
    lock_retries: int = 3  # more attempts of the transaction after a lock timeout
    retry_backoff: float = 1.0  # seconds, doubled per retry
    apply_lock_wait: float = 60.0  # seconds to wait for another apply to finish
    actor: str | None = None  # who applies, e.g. the CI run; recorded in the history
    dry_run: bool = False


@dataclass
class ApplyResult:
    steps_done: int = 0
    retries: int = 0
    step_seconds: list[tuple[int, float]] = field(default_factory=list)  # (step number, seconds) slowest first
    dry_run: bool = False


Progress = Callable[[str], None]


def refused_hazards(plan: Plan, allowed: Iterable[str]) -> set[str]:
    """The data-loss codes `plan.refused` finds not allowed."""
    return {r.code for r in plan.refused(allowed)}


@contextlib.contextmanager
def apply_lock(conn: psycopg.Connection, wait: float) -> Iterator[None]:
    """The database's apply lock (session advisory, re-entrant), waiting at most `wait` seconds."""
    deadline = time.monotonic() + wait
    while not conn.execute("select pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY]).fetchone()[0]:  # type: ignore[index]
        if time.monotonic() >= deadline:
            raise LockBusy(
                f"another schema apply holds this database's apply lock (waited {wait:.0f} s)",
                hint="wait for it to finish, or raise --lock-wait",
            )
        time.sleep(0.2)
    try:
        yield
    finally:
        with contextlib.suppress(psycopg.Error):
            conn.execute("select pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


def apply_plan(
    conn: psycopg.Connection,
    plan: Plan,
    options: ApplyOptions = ApplyOptions(),
    progress: Progress = lambda _: None,
) -> ApplyResult:
    """Run `plan` on `conn` (an autocommit connection)."""
    refused = refused_hazards(plan, options.allow_hazards)
    if refused:
        raise ApplyError(
            f"refusing to apply: the plan has data-loss hazards {', '.join(sorted(refused))}; nothing ran",
            hint="review the plan, then pass --allow-hazard CODE for each one you accept",
        )
    result = ApplyResult(dry_run=options.dry_run)
    if plan.empty:
        return result
    started = time.time()
    with apply_lock(conn, options.apply_lock_wait):
        live_fp = catalog.read_snapshot(conn, ALWAYS_EXCLUDED).excluding(plan.scope.excludes).fingerprint()
        if live_fp != plan.live_fingerprint:
            _record(conn, plan, options, started, "refused", 0, "live schema drifted since the plan was made")
            raise DriftError(
                "refusing to apply: the live schema changed since the plan was made (drift); nothing ran",
                hint="make a new plan against the current database",
            )
        conn.execute("select set_config('lock_timeout', %s, false)", [options.lock_timeout])
        conn.execute("select set_config('statement_timeout', %s, false)", [options.statement_timeout])
        numbered = list(enumerate(plan.steps, 1))
        try:
            if options.dry_run:
                _dry_run(conn, numbered, result, progress)
                _record(conn, plan, options, started, "dry-run", 0, None)
                return result
            for number, step in numbered:
                if step.phase == "pre":
                    _run(conn, step, number, "nothing else was applied", result, progress)
            history_id = _main_transaction(conn, plan, numbered, options, result, started, progress)
        except ApplyError as exc:
            _record(conn, plan, options, started, "failed", result.steps_done, exc.message)
            raise
        try:
            for number, step in numbered:
                if step.phase == "post":
                    _drop_invalid_index(conn, step)
                    _run(conn, step, number, "the transaction had committed; rerun apply to resume", result, progress)
        except ApplyError as exc:
            _finish(conn, history_id, started, "failed", result.steps_done, exc.message)
            raise
        _finish(conn, history_id, started, "applied", result.steps_done, None)
    result.step_seconds.sort(key=lambda t: -t[1])
    return result


def _main_transaction(
    conn: psycopg.Connection,
    plan: Plan,
    numbered: list[tuple[int, Step]],
    options: ApplyOptions,
    result: ApplyResult,
    started: float,
    progress: Progress,
) -> int | None:
    main = [(n, s) for n, s in numbered if s.phase == "main"]
    attempt = 0
    while True:
        done_before = result.steps_done
        try:
            with conn.transaction():
                citus_apply.prepare_transaction(conn)  # Citus: see citus/apply.py
                for number, step in main:
                    _run(
                        conn,
                        step,
                        number,
                        "the transaction was rolled back, nothing of it applied",
                        result,
                        progress,
                        reraise_lock=True,
                    )
                # Recorded in the same transaction: the history says "applied" exactly when it was.
                return _record(conn, plan, options, started, "applied", result.steps_done, None)
        except errors.LockNotAvailable as exc:
            result.steps_done = done_before
            if attempt >= options.lock_retries:
                raise ApplyError(
                    f"gave up after {attempt + 1} attempts: a lock could not be taken within lock_timeout "
                    f"({options.lock_timeout}); the transaction was rolled back, nothing of it applied: "
                    f"{(exc.diag.message_primary or str(exc)).strip()}",
                    hint="retry when the database is quieter, or raise --lock-timeout",
                ) from None
            delay = options.retry_backoff * (2**attempt)
            progress(f"lock timeout; retrying the transaction in {delay:.1f} s")
            time.sleep(delay)
            attempt += 1
            result.retries += 1


def _dry_run(
    conn: psycopg.Connection, numbered: list[tuple[int, Step]], result: ApplyResult, progress: Progress
) -> None:
    """Everything in one transaction that is rolled back (concurrent builds run plainly inside it)."""
    with contextlib.suppress(_Rollback), conn.transaction():
        citus_apply.prepare_transaction(conn)  # Citus: see citus/apply.py
        for number, step in numbered:
            _run(conn, step, number, "dry run: nothing was applied", result, progress, plain=True)
        raise _Rollback


class _Rollback(Exception):
    pass


def _run(
    conn: psycopg.Connection,
    step: Step,
    number: int,
    consequence: str,
    result: ApplyResult,
    progress: Progress,
    reraise_lock: bool = False,
    plain: bool = False,
) -> None:
    """Run one step (with `plain`, its form without CONCURRENTLY, for a transaction)."""
    progress(f"step {number}: {step.title}")
    t0 = time.monotonic()
    try:
        conn.execute((step.plain_sql if plain else step.sql).encode())
    except errors.LockNotAvailable:
        if reraise_lock:
            raise
        raise ApplyError(
            f"step {number} failed ({consequence}): a lock could not be taken within lock_timeout"
        ) from None
    except psycopg.Error as exc:
        msg = (exc.diag.message_primary or str(exc)).strip()
        first = step.sql.strip().splitlines()[0][:160]
        raise ApplyError(f"step {number} failed ({consequence}): {msg}\n  statement: {first}") from None
    result.steps_done += 1
    result.step_seconds.append((number, time.monotonic() - t0))


def _drop_invalid_index(conn: psycopg.Connection, step: Step) -> None:
    """A failed CREATE INDEX CONCURRENTLY leaves an invalid index behind; IF NOT EXISTS would keep it."""
    if step.concurrent_index is None:
        return
    schema, index = step.concurrent_index
    invalid = conn.execute(
        "select 1 from pg_index x join pg_class i on i.oid = x.indexrelid join pg_namespace n on n.oid = "
        "i.relnamespace where n.nspname = %s and i.relname = %s and not x.indisvalid",
        [schema, index],
    ).fetchone()
    if invalid:
        conn.execute(
            sql.SQL("drop index concurrently if exists {}.{}").format(sql.Identifier(schema), sql.Identifier(index))
        )


def _actor(options: ApplyOptions) -> str:
    if options.actor:
        return options.actor
    with contextlib.suppress(Exception):
        return f"{getpass.getuser()}@{os.uname().nodename}"
    return "unknown"


def _record(
    conn: psycopg.Connection,
    plan: Plan,
    options: ApplyOptions,
    started: float,
    outcome: str,
    steps_done: int,
    error: str | None,
) -> int | None:
    """Append to the apply history and return the row's id; a failure to record never hides the outcome."""
    row = sql.SQL(
        "insert into {}.apply_history (started_at, duration_ms, outcome, actor, steps_digest, live_fingerprint, "
        "desired_fingerprint, steps, steps_done, error, tool_version) values (to_timestamp({}), {}, {}, {}, {}, "
        "{}, {}, {}, {}, {}, {}) returning id"
    ).format(
        sql.Identifier(TOOL_SCHEMA),
        sql.Literal(started),
        sql.Literal(int((time.time() - started) * 1000)),
        sql.Literal(outcome),
        sql.Literal(_actor(options)),
        sql.Literal(plan.steps_digest()),
        sql.Literal(plan.live_fingerprint),
        sql.Literal(plan.desired_fingerprint),
        sql.Literal(len(plan.steps)),
        sql.Literal(steps_done),
        sql.Literal(redact(error) if error else None),
        sql.Literal(plan.tool_version),
    )
    # A savepoint (or its own transaction): trouble writing history never changes the apply's outcome.
    with contextlib.suppress(psycopg.Error), conn.transaction():
        for stmt in HISTORY_DDL:
            conn.execute(stmt)
        return int(conn.execute(row).fetchone()[0])  # type: ignore[index]
    return None


def _finish(
    conn: psycopg.Connection, history_id: int | None, started: float, outcome: str, steps_done: int, error: str | None
) -> None:
    """Complete the history row written in the main transaction once the post steps have run (or failed)."""
    if history_id is None:
        return
    with contextlib.suppress(psycopg.Error):
        conn.execute(
            sql.SQL(
                "update {}.apply_history set outcome = %s, steps_done = %s, error = %s, duration_ms = %s, "
                "finished_at = clock_timestamp() where id = %s"
            ).format(sql.Identifier(TOOL_SCHEMA)),
            [outcome, steps_done, redact(error) if error else None, int((time.time() - started) * 1000), history_id],
        )
