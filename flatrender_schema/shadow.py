"""Build the shadow database: the desired state applied to an empty scratch database.

Statements run in file order; one whose dependency comes later (a table referenced before it is
created, a schema named before it exists) is retried after the others, until nothing is left or no
statement makes progress. Service authors never hand-order files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import psycopg
from psycopg import errors, sql

from flatrender_schema import declare
from flatrender_schema.batches import execute_all, execute_batched
from flatrender_schema.citus import shadow as citus_shadow
from flatrender_schema.desired import Desired, Statement
from flatrender_schema.errors import InputError
from flatrender_schema.ordering import dependency_order

# Errors meaning "something this statement needs is not there yet".
DEPENDENCY_ERRORS = (
    errors.UndefinedTable,
    errors.UndefinedObject,
    errors.UndefinedFunction,
    errors.InvalidSchemaName,
    errors.UndefinedColumn,
    errors.WrongObjectType,
)


def run_with_retries(conn: psycopg.Connection, statements: tuple[Statement, ...]) -> None:
    """Run statements in file order, in batches, while that works; the rest in dependency order
    (batches again where they work); those still failing for a missing dependency are retried after
    the others, until none is left or none makes progress."""
    done = execute_batched(conn, [s.sql for s in statements])
    rest = statements[done:]
    pending = [rest[i] for i in dependency_order([s.sql for s in rest])]
    while pending:
        failed: list[tuple[Statement, psycopg.Error]] = []

        def defer(
            index: int,
            exc: psycopg.Error,
            batch: list[Statement] = pending,
            failed: list[tuple[Statement, psycopg.Error]] = failed,
        ) -> None:
            if not isinstance(exc, DEPENDENCY_ERRORS):
                raise _statement_error(batch[index], exc) from None
            failed.append((batch[index], exc))

        execute_all(conn, [s.sql for s in pending], defer)
        if len(failed) == len(pending):
            stmt, exc = failed[0]
            raise _statement_error(stmt, exc)
        pending = [s for s, _ in failed]


def _statement_error(stmt: Statement, exc: psycopg.Error) -> InputError:
    diag = exc.diag
    message = (diag.message_primary or str(exc)).strip()
    detail = f" ({diag.message_detail})" if diag.message_detail else ""
    return InputError(f"statement fails on PostgreSQL: {message}{detail}", stmt.location)


# How the desired statements are run: `run_with_retries`, or a caller's runner with the same outcome.
Runner = Callable[[psycopg.Connection, tuple[Statement, ...]], None]


def build_shadow(conn: psycopg.Connection, desired: Desired, today: dt.date, run: Runner = run_with_retries) -> None:
    """Apply `desired` to the empty database behind `conn` (autocommit). Roles must exist already.
    `run` runs the desired statements (pull's proof builds on several connections)."""
    conn.execute("set check_function_bodies = off")  # as pg_dump does: bodies may name later objects
    citus = citus_shadow.prepare(conn, desired)  # Citus: the extension, when the manifests enable it
    for stmt in declare.preamble(desired):
        conn.execute(stmt)
    run(conn, desired.statements)
    _run_declared(conn, declare.epilogue(desired, today))
    if desired.project is not None and desired.project.owner:
        _run_declared(conn, declare.ownership_statements(conn, desired.managed_schemas, desired.project.owner))
    if citus is not None:
        citus_shadow.distribute_declared(conn, desired, citus)  # Citus: after the tables and their grants
    conn.execute("reset check_function_bodies")


def _run_declared(conn: psycopg.Connection, statements: Iterable[sql.Composable]) -> None:
    """Statements the tool derives from the manifests: they do not fail, except on a bug of ours."""

    def fail(index: int, exc: psycopg.Error) -> None:
        raise exc

    execute_all(conn, [s.as_string(conn) for s in statements], fail)


def referenced_roles(conn: psycopg.Connection) -> set[str]:
    """Roles a database's objects name (owners, grantees): the scratch server needs them too."""
    rows = conn.execute(
        """
        select distinct r.rolname from pg_roles r
        where r.oid in (select relowner from pg_class union select nspowner from pg_namespace
                        union select proowner from pg_proc union select typowner from pg_type
                        union select defaclrole from pg_default_acl)
           or r.oid in (select (aclexplode(relacl)).grantee from pg_class where relacl is not null
                        union select (aclexplode(nspacl)).grantee from pg_namespace where nspacl is not null
                        union select (aclexplode(proacl)).grantee from pg_proc where proacl is not null
                        union select (aclexplode(typacl)).grantee from pg_type where typacl is not null
                        union select (aclexplode(defaclacl)).grantee from pg_default_acl)
           or r.rolname in (select unnest(roles)::text from pg_policies)
        """
    ).fetchall()
    return {r[0] for r in rows if not r[0].startswith("pg_")}
