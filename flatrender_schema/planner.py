"""build_plan: desired vs live -> a verified Plan.

shadow (desired applied to a scratch database) and a scratch copy of live (built from live's catalog
through the engine, no data) are made on the dev server. The engine's statements (live -> shadow)
are applied to the copy, the gap layer closes what the engine missed, and the copy must then equal
the shadow by the engine-independent catalog comparison, or the plan is an error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg import sql

from flatrender_schema import __version__, catalog, gaps
from flatrender_schema.changes import Change
from flatrender_schema.declare import declared_roles
from flatrender_schema.desired import Desired, Statement
from flatrender_schema.engine import Engine, Scope
from flatrender_schema.errors import InputError, Location, PlanError
from flatrender_schema.gaps.reference_data import reference_statements
from flatrender_schema.gaps.renames import rename_statements
from flatrender_schema.gaps.roles import role_statements
from flatrender_schema.hazards import action_of, classify
from flatrender_schema.online import make_online
from flatrender_schema.plan import Plan, PlanScope, Step
from flatrender_schema.postgres.connect import connection, describe
from flatrender_schema.redact import redact
from flatrender_schema.scratch import DevServer
from flatrender_schema.shadow import build_shadow, referenced_roles, run_with_retries

TOOL_SCHEMA = "flatrender_schema"  # the tool's own schema (apply history): never diffed
ALWAYS_EXCLUDED = frozenset({TOOL_SCHEMA})

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PlanOptions:
    today: dt.date
    # Keep the shadow database on the dev server between plans, keyed by what it was built from (and the
    # roles it grants to). Only worth it with a persistent --dev-url.
    reuse_shadow: bool = False


def scope_of(desired: Desired) -> PlanScope:
    """With manifests, the tool manages the services' schemas only; plain SQL manages every schema."""
    if desired.project is None:
        return PlanScope()
    return PlanScope(desired.managed_schemas, desired.project.ignore)


def _policy_partitions_only_in_live(desired: Desired, live: catalog.Snapshot, shadow: catalog.Snapshot) -> set[str]:
    """Partitions of declared partitioned tables that exist only in live: ops-created, not drift."""
    declared = {f"{s.schema}.{t}" for s in desired.services for t in s.manifest.partitioned}
    in_shadow = {f"{r['schema']}.{r['name']}" for r in shadow.rows("relations")}
    out = set()
    for r in live.rows("relations"):
        name = f"{r['schema']}.{r['name']}"
        parents = set(r.get("parents") or ())
        bound = (r.get("partition_bound") or "").upper()
        if parents & declared and name not in in_shadow and bound.startswith("FOR VALUES FROM"):
            out.add(name)
    return out


def _execute(conn: psycopg.Connection, statements: list[str], what: str) -> None:
    for stmt in statements:
        try:
            conn.execute(stmt.encode())
        except psycopg.Error as exc:
            msg = (exc.diag.message_primary or str(exc)).strip()
            raise PlanError(f"{what} fails on the scratch copy: {msg}\n  statement: {stmt}") from None


def _as_text(conn: psycopg.Connection, stmts: list[sql.Composable]) -> list[str]:
    return [s.as_string(conn) + ";" for s in stmts]


def run_gaps(
    conn: psycopg.Connection, desired: Desired, current: catalog.Snapshot, target: catalog.Snapshot
) -> list[Change]:
    ctx = gaps.GapContext(desired, current, target)
    out: list[Change] = []
    for c in gaps.load_concerns():
        out.extend(Change(text, c.name) for text in _as_text(conn, c.compare(ctx)))
    return out


def build_plan(
    live: psycopg.Connection,
    desired: Desired,
    dev: DevServer,
    engine: Engine,
    options: PlanOptions,
    progress: Progress = lambda _: None,
) -> Plan:
    plan_scope = scope_of(desired)
    major = live.info.server_version // 10000
    warnings: list[str] = []
    if dev.major != major:
        warnings.append(f"scratch server runs PostgreSQL {dev.major}, the target {major}")
    # Before the dev server creates roles: it may be the target's own cluster (roles are cluster-wide).
    role_changes = [Change(s, "roles") for s in _as_text(live, role_statements(live, desired))]
    needed_roles = set(declared_roles(desired)) | referenced_roles(live)

    with contextlib.ExitStack() as stack:
        stack.enter_context(dev.roles(needed_roles, keep=options.reuse_shadow))
        if options.reuse_shadow:
            key = f"{desired.fingerprint()}|{options.today}|{__version__}|{dev.major}"
            shadow = stack.enter_context(dev.cached_database("shadow", key, _shadow_builder(desired, options)))
        else:
            shadow = stack.enter_context(dev.database("shadow"))
            progress("building the desired state in a shadow database")
            _shadow_builder(desired, options)(shadow)
        shadow_snap = catalog.read_snapshot(shadow, ALWAYS_EXCLUDED)
        live_snap = catalog.read_snapshot(live, ALWAYS_EXCLUDED)
        # When live is mostly built already, copying the shadow and diffing it into live's shape is far
        # cheaper than replaying live's whole schema into an empty database.
        template = None
        if len(live_snap.rows("relations")) * 2 >= len(shadow_snap.rows("relations")) > 50:
            template = shadow.info.dbname
            shadow.close()  # a template database must have no connections
            copy = stack.enter_context(dev.database("copy", template))
            shadow = stack.enter_context(connection(dev.url_for(template), autocommit=True))
        else:
            copy = stack.enter_context(dev.database("copy"))
        ops_partitions = _policy_partitions_only_in_live(desired, live_snap, shadow_snap)

        def skip(schema: str, name: str) -> bool:
            return plan_scope.excludes(schema, name) or f"{schema}.{name}" in ops_partitions

        def keep(kind: str, schema: str, name: str, side: str) -> bool:
            return kind == "extensions" or not skip(schema, name)

        scope = Scope(ALWAYS_EXCLUDED, keep)
        progress("copying the live schema into a scratch database")
        try:
            _clone(copy, live, engine, desired, live_snap)
        except PlanError:
            if template is None:
                raise
            copy = stack.enter_context(dev.database("copy"))  # from the template did not work: from empty
            _clone(copy, live, engine, desired, live_snap)
        copy.execute("analyze")
        clone_diff = catalog.compare(
            catalog.read_snapshot(copy, ALWAYS_EXCLUDED).excluding(plan_scope.excludes),
            live_snap.excluding(plan_scope.excludes),
        )
        renames = _as_text(live, rename_statements(desired, live_snap, shadow_snap))
        if clone_diff:
            warnings.append(
                f"the scratch copy of live is inexact ({len(clone_diff)} differences); "
                "the plan was diffed against live itself"
            )
            if renames:
                raise PlanError(
                    "declared renames need an exact scratch copy of live:\n  " + "\n  ".join(clone_diff[:10])
                )
        _execute(copy, renames, "rename")

        progress(f"diffing live against desired ({engine.name})")
        # Diffing the copy (live with the renames applied) lets the engine see renamed objects as equal.
        existing = {f"{r['schema']}.{r['name']}" for r in live_snap.rows("relations")}
        partitioned = {f"{r['schema']}.{r['name']}" for r in live_snap.rows("relations") if r["kind"] == "p"}
        engine_changes = make_online(
            [Change(s, "engine") for s in engine.diff(live if clone_diff else copy, shadow, scope)],
            existing,
            partitioned,
        )
        _execute(copy, [c.sql for c in engine_changes], "engine statement")

        progress("closing the gaps the engine leaves")
        gap_changes = run_gaps(
            copy, desired, catalog.read_snapshot(copy, ALWAYS_EXCLUDED).excluding(skip), shadow_snap.excluding(skip)
        )
        _execute(copy, [c.sql for c in gap_changes], "gap-layer statement")
        refs = _as_text(live, reference_statements(live, desired, warnings))
        _execute(copy, _as_text(copy, reference_statements(None, desired)), "reference row")

        progress("verifying the plan converges")
        residual = catalog.compare(
            catalog.read_snapshot(copy, ALWAYS_EXCLUDED).excluding(skip),
            shadow_snap.excluding(skip),
        )
        if residual:
            shown = "\n  ".join(residual[:20])
            raise PlanError(f"the plan does not converge; left over after applying it to a scratch copy:\n  {shown}")

    changes = role_changes + [Change(s, "renames") for s in renames]
    changes += engine_changes + gap_changes + [Change(s, "reference_data") for s in refs]
    order = {"pre": 0, "main": 1, "post": 2}
    changes.sort(key=lambda c: order[c.phase])  # stable: within a phase, the planned order
    types = {(f"{r['schema']}.{r['table']}", r["name"]): r["type"] for r in live_snap.rows("columns")}
    steps = tuple(_step(c, existing, types) for c in changes)
    return Plan(
        steps,
        live_snap.excluding(plan_scope.excludes).fingerprint(),
        desired.fingerprint(),
        engine.name,
        __version__,
        major,
        redact(describe(live.info.dsn)),
        tuple(warnings),
        plan_scope,
    )


def _shadow_builder(desired: Desired, options: PlanOptions) -> Callable[[psycopg.Connection], None]:
    def build(conn: psycopg.Connection) -> None:
        build_shadow(conn, desired, options.today)
        conn.execute("analyze")  # fresh catalogs without statistics make the engine's queries slow

    return build


def _step(change: Change, existing: set[str], types: dict[tuple[str, str], str]) -> Step:
    action, obj = action_of(change.sql)
    return Step(change.sql, action, obj, change.source, change.phase, classify(change.sql, existing, types))


def _clone(
    copy: psycopg.Connection,
    live: psycopg.Connection,
    engine: Engine,
    desired: Desired,
    live_snap: catalog.Snapshot,
) -> None:
    """Recreate live's schema (not its data) in the empty scratch database `copy`."""
    copy.execute("set check_function_bodies = off")
    statements = engine.diff(copy, live, Scope(ALWAYS_EXCLUDED))
    # The copy is ours: any working order will do, so statements whose dependency comes later retry.
    try:
        run_with_retries(copy, tuple(Statement(s, Location("live copy")) for s in statements))
    except InputError as exc:
        raise PlanError(f"copying live fails on the scratch copy: {exc.message}") from None
    clone_desired = Desired(None) if desired.project is None else desired
    fixes = run_gaps(copy, clone_desired, catalog.read_snapshot(copy, ALWAYS_EXCLUDED), live_snap)
    _execute(copy, [c.sql for c in fixes], "copying live")
