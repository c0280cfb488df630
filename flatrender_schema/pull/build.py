"""The proof's shadow built on several connections at once, each table's file one transaction.

Building thousands of tables is the proof's largest cost, and it is the server's work: one backend
uses one core. Files whose statements only create or describe their own objects (a table with its
indexes, constraints, comments, grants) give the same database in any order, except that one may
need an object another creates, which is an error, never a silently different result. So such
files run on `workers` connections, each file as one multi-statement query (one round trip, one
implicit transaction: a failure leaves nothing behind); a file that fails waits until another file
was committed and is tried again. Every other file, and everything from the first file that still
fails on, is run by `shadow.run_with_retries` on the caller's connection, which reorders, retries
and reports an error with its file and line, exactly as a build on one connection would.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import psycopg

from flatrender_schema.batches import execute_batched, runs_alone
from flatrender_schema.desired import Statement
from flatrender_schema.shadow import Runner, run_with_retries

# Statements whose effect does not depend on what ran before them (only whether it ran: else an error).
_ORDER_FREE = re.compile(
    r"(?:create\s+(?:unlogged\s+)?table|create\s+(?:unique\s+)?index|comment\s+on|alter\s+table"
    r"|alter\s+index|alter\s+sequence|create\s+trigger|create\s+policy|grant|revoke)\b",
    re.I,
)
# ... unless they rename, drop, move or reach every object of a schema (order matters then).
_ORDER_BOUND = re.compile(r"\b(?:rename|drop|set\s+schema|all\s+\w+\s+in\s+schema|as\s+select)\b", re.I)
_LEADING_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*\n?|/\*.*?\*/)*", re.S)
RETRIES = 3  # tries of a failing file (after other files were committed) before the serial run


@dataclass(frozen=True)
class _File:
    index: int
    statements: tuple[Statement, ...]

    @property
    def script(self) -> bytes:
        return "\n;\n".join(s.sql for s in self.statements).encode()


def order_free(statement: str) -> bool:
    body = statement[_LEADING_COMMENTS.match(statement).end() :]  # type: ignore[union-attr]
    return bool(_ORDER_FREE.match(body)) and not _ORDER_BOUND.search(body) and not runs_alone(body)


def _segments(statements: Sequence[Statement]) -> Iterator[tuple[bool, list[_File]]]:
    """Consecutive files (runs of statements of one path), grouped into runs that may go in parallel or not."""
    files: list[_File] = []
    start = 0
    for i in range(1, len(statements) + 1):
        if i == len(statements) or statements[i].location.path != statements[start].location.path:
            files.append(_File(len(files), tuple(statements[start:i])))
            start = i
    run: list[_File] = []
    parallel = False
    for f in files:
        free = all(order_free(s.sql) for s in f.statements)
        if run and free != parallel:
            yield parallel, run
            run = []
        run.append(f)
        parallel = free
    if run:
        yield parallel, run


def parallel_runner(connect: Callable[[], psycopg.Connection], workers: int, ran: list[int] | None = None) -> Runner:
    """A `shadow.Runner`: `connect()` opens another connection to the shadow database (autocommit).
    `ran`, when given, receives how many files each connection committed in parallel."""

    def run(conn: psycopg.Connection, statements: tuple[Statement, ...]) -> None:
        if workers < 2:
            run_with_retries(conn, statements)
            return
        rest: list[Statement] = []
        for parallel, files in _segments(statements):
            flat = [s for f in files for s in f.statements]
            if rest:
                rest.extend(flat)  # once anything is left over, the rest keeps its order, on one connection
            elif parallel and len(files) > 1:
                left, counts = _in_parallel(conn, files, connect, workers)
                rest.extend(s for f in left for s in f.statements)
                if ran is not None:
                    ran.extend(counts)
            else:
                done = execute_batched(conn, [s.sql for s in flat])
                rest.extend(flat[done:])
        if rest:
            run_with_retries(conn, tuple(rest))

    return run


def _others(connect: Callable[[], psycopg.Connection], count: int) -> list[psycopg.Connection]:
    """Up to `count` more connections, opened before any work starts (so all start together)."""
    out: list[psycopg.Connection] = []
    for _ in range(count):
        try:
            c = connect()
            c.execute("set check_function_bodies = off")  # as build_shadow sets it on its connection
        except Exception:  # one connection fewer: the others do the work
            break
        out.append(c)
    return out


def _in_parallel(
    conn: psycopg.Connection, files: list[_File], connect: Callable[[], psycopg.Connection], workers: int
) -> tuple[list[_File], list[int]]:
    """Run `files` on `workers` connections (the caller's one of them); return those that never ran,
    and how many files each connection committed."""
    state = threading.Condition()
    todo = list(reversed(files))
    waiting: list[tuple[_File, int]] = []  # a failed file, and how many files were committed when it started
    tries: dict[int, int] = {}
    given_up: list[_File] = []
    commits = 0
    busy = 0
    errors: list[BaseException] = []

    def next_file() -> tuple[_File, int] | None:
        """A file to run, and how many files were committed when it started (what it could see)."""
        nonlocal busy
        with state:
            while True:
                if errors:
                    return None
                # A failed file first (it comes earlier) once something was committed after it started.
                ready = next((i for i, (_, seen) in enumerate(waiting) if commits > seen), None)
                if ready is not None or todo:
                    busy += 1
                    return (waiting.pop(ready)[0] if ready is not None else todo.pop()), commits
                if busy == 0:
                    return None  # nothing runs that could make a waiting file work
                state.wait()

    def work(c: psycopg.Connection) -> int:
        nonlocal busy, commits
        mine = 0
        while (picked := next_file()) is not None:
            f, seen = picked
            try:
                c.execute(f.script)
                ok = True
            except psycopg.Error:
                ok = False
            with state:
                busy -= 1
                state.notify_all()
                if ok:
                    commits += 1
                    mine += 1
                elif c.broken or c.closed:
                    todo.append(f)  # the connection, not the file, failed: another one runs it
                    break
                else:
                    tries[f.index] = tries.get(f.index, 0) + 1
                    (waiting.append((f, seen)) if tries[f.index] < RETRIES else given_up.append(f))
        return mine

    others = _others(connect, workers - 1)
    counts = [0] * (len(others) + 1)

    def worker(i: int, c: psycopg.Connection) -> None:
        try:
            with c:
                counts[i] = work(c)
        except BaseException as exc:  # handed to the caller's thread
            with state:
                errors.append(exc)
                state.notify_all()

    threads = [threading.Thread(target=worker, args=(i + 1, c), name=f"shadow-{i + 1}") for i, c in enumerate(others)]
    for t in threads:
        t.start()
    try:
        counts[0] = work(conn)
    finally:
        for t in threads:
            t.join()
    if errors:
        raise errors[0]
    return sorted(given_up + [f for f, _ in waiting] + todo, key=lambda f: f.index), counts
