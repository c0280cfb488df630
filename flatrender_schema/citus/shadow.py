"""The shadow on a Citus dev server: a single-node Citus, the coordinator holding every shard.

Its distribution is the declared one, made by the same statements a plan would run from a plain
database (`distribute.statements`). In a database of its own, Citus's metadata is that database's:
however many workers the dev server's cluster has elsewhere, the scratch database has no nodes
but the coordinator, which Citus adds (with shards) on the first distribution.
"""

from __future__ import annotations

import psycopg

from flatrender_schema.citus import distribute
from flatrender_schema.citus.declared import Declared, declared_for
from flatrender_schema.citus.tables import from_desired
from flatrender_schema.errors import PlanError

NO_CITUS_HINT = (
    "the schema enables Citus (schema.yaml `citus: enabled: true`), so plans need a dev server with Citus: "
    "pass --dev-url to a PostgreSQL server started with shared_preload_libraries = 'citus'"
)


def prepare(conn: psycopg.Connection, desired: object) -> Declared | None:
    """Install Citus in the empty scratch database when the manifests enable it."""
    declared = declared_for(desired)
    if declared is None:
        return None
    try:
        conn.execute("create extension if not exists citus")
    except psycopg.Error as exc:
        raise PlanError(f"cannot create the citus extension on the dev server: "
                        f"{(exc.diag.message_primary or str(exc)).strip()}; {NO_CITUS_HINT}") from None
    return declared


def fk_order(desired: object) -> list[str]:
    """Tables referenced before the tables referencing them (FKs of the desired SQL), else by name."""
    from flatrender_schema.desired import Desired

    assert isinstance(desired, Desired)
    facts = from_desired(desired)
    refs = {f"{n[0]}.{n[1]}": sorted({f"{k.target[0]}.{k.target[1]}" for k in t.foreign_keys} - {f"{n[0]}.{n[1]}"})
            for n, t in facts.items()}
    out: list[str] = []
    seen: set[str] = set()

    def visit(table: str, path: frozenset[str]) -> None:
        if table in seen or table in path:
            return
        for target in refs.get(table, ()):
            visit(target, path | {table})
        seen.add(table)
        out.append(table)

    for table in sorted(refs):
        visit(table, frozenset())
    return out


def distribute_declared(conn: psycopg.Connection, desired: object, declared: Declared) -> None:
    """Place the shadow's tables as declared (after they and their partitions exist)."""
    tables, groups = distribute.declared_rows(declared)
    empty = distribute.Side({}, ())
    for stmt in distribute.statements(empty, distribute.Side.of(tables, groups), fk_order(desired)):
        text = stmt.as_string(conn)
        try:
            conn.execute(text)
        except psycopg.Error as exc:
            raise PlanError(f"Citus refuses the declared distribution: {(exc.diag.message_primary or str(exc)).strip()}"
                            f"\n  statement: {text}\n  (`schema lint` names what Citus does not allow)") from None


def prepare_copy(conn: psycopg.Connection, live_extensions: tuple[dict[str, object], ...]) -> None:
    """A scratch copy of a Citus database starts with the extension, before the engine inspects it:
    the engine would otherwise replay Citus's own catalog triggers after `create extension`."""
    if any(r.get("name") == "citus" for r in live_extensions):
        try:
            conn.execute("create extension if not exists citus")
        except psycopg.Error as exc:
            raise PlanError(f"cannot create the citus extension on the dev server: "
                            f"{(exc.diag.message_primary or str(exc)).strip()}; {NO_CITUS_HINT}") from None


def dev_settings(desired: object, major: int) -> dict[str, str]:
    """Settings for an ephemeral dev cluster: Citus preloaded when the manifests enable it and the
    server of that major has it installed (else none: the shadow then fails with NO_CITUS_HINT)."""
    from pathlib import Path

    from flatrender_schema.errors import ClusterError
    from flatrender_schema.postgres.cluster import choose_server

    if declared_for(desired) is None:
        return {}
    try:
        server = choose_server(major, strict=True)
    except ClusterError:
        return {}
    libdir = Path(server.tool("postgres")).resolve().parent.parent / "lib"
    return {"shared_preload_libraries": "citus"} if (libdir / "citus.so").exists() else {}


def release(admin: psycopg.Connection, dbname: str) -> None:
    """Let a scratch database be renamed or copied: Citus's maintenance daemon keeps a session in
    every Citus database, and PostgreSQL refuses both while any session is in it. Once terminated,
    the daemon stays away until a session uses Citus there again."""
    import time

    query = ("select pg_terminate_backend(pid) from pg_stat_activity "
             "where datname = %s and application_name = 'Citus Maintenance Daemon'")
    if not admin.execute(query, [dbname]).fetchall():
        return
    for _ in range(100):
        if not admin.execute(query.replace("pg_terminate_backend(pid)", "1"), [dbname]).fetchone():
            return
        time.sleep(0.05)
