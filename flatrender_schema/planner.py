"""build_plan: desired vs live -> a verified Plan.

The shadow (desired applied to a scratch database) is built on the dev server while live is read in
a second thread. Each side is read once: a catalog snapshot (the judge) and, when needed, the
engine's inspection. When the judge finds them equal the plan is empty and nothing else runs.
Otherwise a scratch copy of live is made (no data) by the first attempt of `copy_of_live.ATTEMPTS`
that works, the engine's and the gap layer's statements are applied to it (`converge`), and the copy
must then equal the shadow by the judge, or the plan is an error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import psycopg

from flatrender_schema import __version__, catalog
from flatrender_schema.converge import converge
from flatrender_schema.copy_of_live import ATTEMPTS, CopyFailed, Sides, Work
from flatrender_schema.declare import declared_roles
from flatrender_schema.declared.reference_data import reference_statements
from flatrender_schema.declared.renames import rename_statements
from flatrender_schema.declared.roles import role_statements
from flatrender_schema.desired import Desired
from flatrender_schema.engine import Engine
from flatrender_schema.hazards import assess
from flatrender_schema.plan import Plan, PlanScope
from flatrender_schema.postgres.connect import describe
from flatrender_schema.redact import redact
from flatrender_schema.scratch import DevServer
from flatrender_schema.scratch_work import ANALYZE_CATALOGS, as_steps, run_gaps
from flatrender_schema.shadow import build_shadow, referenced_roles
from flatrender_schema.shadow_cache import code_digest, remembered
from flatrender_schema.step import Phase, Step
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

__all__ = ["ALWAYS_EXCLUDED", "PlanOptions", "build_plan", "run_gaps", "scope_of"]

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


def build_plan(
    live: psycopg.Connection,
    desired: Desired,
    dev: DevServer,
    engine: Engine,
    options: PlanOptions,
    progress: Progress = lambda _: None,
) -> Plan:
    plan_scope, major = scope_of(desired), live.info.server_version // 10000
    warnings = [f"scratch server runs PostgreSQL {dev.major}, the target {major}"] if dev.major != major else []
    # Before the dev server creates roles: it may be the target's own cluster (roles are cluster-wide).
    role_steps = as_steps(live, role_statements(live, desired), "roles")
    with contextlib.ExitStack() as stack:
        stack.enter_context(dev.roles(set(declared_roles(desired)) | referenced_roles(live), keep=options.reuse_shadow))
        sides = _read_sides(stack, live, desired, dev, engine, options, progress)
        ops_partitions = _policy_partitions_only_in_live(desired, sides.live_snap, sides.shadow_snap)

        def skip(schema: str, name: str) -> bool:
            return plan_scope.excludes(schema, name) or f"{schema}.{name}" in ops_partitions

        renames = as_steps(live, rename_statements(desired, sides.live_snap, sides.shadow_snap), "renames")
        reference_rows, unread = reference_statements(live, desired)
        refs, warnings = as_steps(live, reference_rows, "reference_data"), warnings + unread
        planned: tuple[list[Step], list[Step]] = ([], [])
        if renames or not catalog.equal(sides.live_snap.excluding(skip), sides.shadow_snap.excluding(skip)):
            work = Work(stack, sides, desired, dev, engine, plan_scope, skip, renames, progress)
            planned = _first_that_works(work)
        else:  # the judge finds nothing to change: the plan needs neither the engine nor a scratch copy
            progress("live already matches the desired state")
    steps = role_steps + renames + planned[0] + planned[1] + refs
    return _assemble(steps, sides, desired, engine, plan_scope, major, live, warnings)


def _first_that_works(work: Work) -> tuple[list[Step], list[Step]]:
    """Converge on the copy of live made by the first attempt that applies and works."""
    work.progress(f"diffing live against desired ({work.engine.name})")
    work.start_live_inspection()  # in the second thread, while the shadow's is read
    work.shadow_inspection  # noqa: B018  (read now: a cached shadow keeps it, outside any transaction rolled back)
    work.progress("copying the live schema into a scratch database")
    for attempt in (a for a in ATTEMPTS if a.applies(work)):
        try:
            with attempt.open(work) as copy:
                return converge(work, copy)
        except psycopg.OperationalError:
            raise
        except CopyFailed as exc:
            work.failures[attempt.name] = "copy"
            work.progress(f"{attempt.name} did not work: {exc.message.splitlines()[0]}; trying the next copy")
        except Exception as exc:
            if not attempt.falls_back(work):
                raise
            work.failures[attempt.name] = "plan"
            work.progress(f"the plan on {attempt.name} did not work ({type(exc).__name__}): trying the next copy")
    raise AssertionError("the last attempt (an empty database) always applies")


def _read_sides(
    stack: contextlib.ExitStack,
    live: psycopg.Connection,
    desired: Desired,
    dev: DevServer,
    engine: Engine,
    options: PlanOptions,
    progress: Progress,
) -> Sides:
    """Build the shadow (or take the cached one) while live's snapshot is read in a second thread."""
    pool = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="live"))  # another backend, another core
    live_snap = pool.submit(catalog.read_snapshot, live, ALWAYS_EXCLUDED)
    live_inspection = None
    if options.reuse_shadow:
        key = f"{desired.fingerprint()}|{options.today}|{__version__}|{code_digest()}|{dev.major}"
        shadow = stack.enter_context(dev.cached_database("shadow", key, _shadow_builder(desired, options)))
        shadow_snap = remembered(
            shadow, "snapshot", catalog.Snapshot, lambda: catalog.read_snapshot(shadow, ALWAYS_EXCLUDED)
        )
    else:
        # Most plans that are not empty need the engine's view of live: start it now, it is free.
        live_inspection = pool.submit(engine.inspect, live)
        shadow = stack.enter_context(dev.database("shadow"))
        progress("building the desired state in a shadow database")
        _shadow_builder(desired, options)(shadow)
        progress("reading live and the shadow's catalogs")
        shadow_snap = catalog.read_snapshot(shadow, ALWAYS_EXCLUDED)
    return Sides(live, shadow, live_snap.result(), shadow_snap, live_inspection, pool, options.reuse_shadow)


def _shadow_builder(desired: Desired, options: PlanOptions) -> Callable[[psycopg.Connection], None]:
    def build(conn: psycopg.Connection) -> None:
        build_shadow(conn, desired, options.today)
        conn.execute(ANALYZE_CATALOGS)

    return build


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


def _assemble(
    steps: list[Step],
    sides: Sides,
    desired: Desired,
    engine: Engine,
    plan_scope: PlanScope,
    major: int,
    live: psycopg.Connection,
    warnings: list[str],
) -> Plan:
    """The plan value: steps in phase order (stable: within a phase, the planned order), each assessed."""
    order = {Phase.PRE: 0, Phase.MAIN: 1, Phase.POST: 2}
    existing = set(sides.live_relations)
    types = {(f"{r['schema']}.{r['table']}", r["name"]): r["type"] for r in sides.live_snap.rows("columns")}
    assessed = tuple(s.with_hazards(assess(s, existing, types)) for s in sorted(steps, key=lambda s: order[s.phase]))
    return Plan(
        assessed,
        sides.live_snap.excluding(plan_scope.excludes).fingerprint(),
        desired.fingerprint(),
        engine.name,
        __version__,
        major,
        redact(describe(live.info.dsn)),
        tuple(warnings),
        plan_scope,
    )
