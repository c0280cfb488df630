"""apply_fleet: a fleet converged in waves, canaries first, stopping at the first failure.

Each target is applied by `apply.apply_plan` under its own advisory lock, in one transaction, with
its own history; a re-run resumes, since converged targets have nothing left to do. Outcomes:

- done: `applied`, `converged` (nothing to do), `applied-earlier` (this reviewed plan, per history)
- `failed`: something ran and failed, or its plan did: no new apply starts, running ones finish
- `refused`: nothing ran, for a reason of that target's own (drift from its reviewed plan, no
  reviewed plan for it, unreachable); the others go on, unless it is a canary
- `untouched`: never started, because the rollout stopped first
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from flatrender_schema import catalog
from flatrender_schema.apply import ApplyOptions, DriftError, apply_lock, apply_plan
from flatrender_schema.desired import Desired
from flatrender_schema.engine import Engine
from flatrender_schema.errors import ApplyError, InputError
from flatrender_schema.fleet.manifest import Fleet, Target, matches, parse_selectors
from flatrender_schema.fleet.planning import (
    FleetOptions,
    FleetPlan,
    FleetSession,
    describe_error,
    open_fleet,
    plan_connected,
    plan_target,
)
from flatrender_schema.plan import Plan
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED, TOOL_SCHEMA

DONE = ("applied", "converged", "applied-earlier", "dry-run")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class RolloutOptions:
    apply: ApplyOptions = field(default_factory=ApplyOptions)
    canary: tuple[str, ...] = ()  # target names or label=value; default: the first target
    ignore_desired_mismatch: bool = False


@dataclass(frozen=True)
class TargetOutcome:
    name: str
    outcome: str
    detail: str = ""
    steps: int = 0
    wave: str = ""  # "canary" or "rest"

    @property
    def done(self) -> bool:
        return self.outcome in DONE


@dataclass(frozen=True)
class Rollout:
    results: tuple[TargetOutcome, ...]  # in the targets file's order
    stopped_by: str | None = None  # the target whose failure stopped the rollout

    @property
    def exit_code(self) -> int:
        return 0 if all(r.done for r in self.results) else 1

    def names(self, *outcomes: str) -> list[str]:
        return [r.name for r in self.results if r.outcome in outcomes]

    def summary(self) -> str:
        c = Counter(r.outcome for r in self.results)
        done = sum(c[o] for o in DONE)
        parts = [f"{c[o]} {o}" for o in DONE if c[o]]
        text = f"Rollout: {done} done ({', '.join(parts) or 'none'}), {c['failed']} failed, {c['refused']} refused, "
        text += f"{c['untouched']} untouched."
        if self.stopped_by:
            text += f" Stopped at the failure of {self.stopped_by}; a re-run resumes."
        return text

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": "fleet-rollout",
                "stopped_by": self.stopped_by,
                "summary": dict(Counter(r.outcome for r in self.results)),
                "targets": [_outcome_dict(r) for r in self.results],
            },
            indent=2,
        ) + "\n"


def _outcome_dict(r: TargetOutcome) -> dict[str, object]:
    return {"name": r.name, "outcome": r.outcome, "detail": r.detail, "steps": r.steps, "wave": r.wave}


def canaries(fleet: Fleet, chosen: tuple[str, ...]) -> list[Target]:
    """The canary wave: targets named or matching a label=value given; the first target by default."""
    if not chosen:
        return [fleet.targets[0]]
    names = {c for c in chosen if "=" not in c}
    unknown = names - set(fleet.names)
    if unknown:
        raise InputError(f"--canary {', '.join(sorted(unknown))}: no such target in {fleet.path}")
    wanted = parse_selectors([c for c in chosen if "=" in c])
    out = [t for t in fleet.targets if t.name in names or (wanted and any(
        matches(t, {k: v}) for k, v in wanted.items()))]
    if not out:
        raise InputError(f"--canary {' '.join(chosen)} matches no selected target")
    return out


def apply_fleet(
    fleet: Fleet,
    desired: Desired,
    engine: Engine,
    options: FleetOptions,
    rollout: RolloutOptions = RolloutOptions(),
    reviewed: FleetPlan | None = None,
    progress: Progress = lambda _: None,
    environ: Mapping[str, str] | None = None,
) -> Rollout:
    first = canaries(fleet, rollout.canary)
    rest = [t for t in fleet.targets if t not in first]
    with open_fleet(fleet, options, environ, engine) as session:
        run = _Run(session, fleet, desired, rollout, reviewed, progress)
        run.wave(first, "canary")
        if any(not run.outcomes[t.name].done for t in first):
            run.stopped_by = run.stopped_by or next(t.name for t in first if not run.outcomes[t.name].done)
        else:
            run.wave(rest, "rest")
    results = tuple(run.outcomes.get(t.name) or TargetOutcome(t.name, "untouched") for t in fleet.targets)
    return Rollout(results, run.stopped_by)


@dataclass
class _Run:
    session: FleetSession
    fleet: Fleet
    desired: Desired
    rollout: RolloutOptions
    reviewed: FleetPlan | None
    progress: Progress
    planned: dict[str, Plan] = field(default_factory=dict)
    plan_errors: dict[str, str] = field(default_factory=dict)  # the targets whose plan just failed
    outcomes: dict[str, TargetOutcome] = field(default_factory=dict)
    stopped_by: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cluster_locks: dict[str, threading.Lock] = field(default_factory=dict)

    def wave(self, targets: list[Target], name: str) -> None:
        """Apply `targets`, `parallel` at a time; after a failure no new one starts. Without reviewed
        plans, the wave is planned first, as a fleet (after the canaries were applied, for the rest)."""
        if self.reviewed is None:
            planned = plan_connected(self.session, Fleet(self.fleet.path, tuple(targets)), self.desired, self.progress)
            self.planned.update({r.target.name: r.plan for r in planned if r.plan is not None})
            self.plan_errors.update({r.target.name: r.error or "" for r in planned if r.plan is None})
        pending = iter(targets)

        def worker() -> None:
            while True:
                with self._lock:
                    target = None if self._stop.is_set() else next(pending, None)
                if target is None:
                    return
                out = self.one(target, name)
                self.progress(f"{target.name}: {out.outcome}{f' ({out.detail})' if out.detail else ''}")
                with self._lock:
                    self.outcomes[target.name] = out
                    if out.outcome == "failed" and not self._stop.is_set():
                        self._stop.set()
                        self.stopped_by = target.name

        workers = min(self.session.options.parallel, len(targets))
        self.session.map(lambda _: worker(), list(range(workers)))

    def one(self, target: Target, wave: str) -> TargetOutcome:
        if target.name in self.session.errors:
            return TargetOutcome(target.name, "refused", f"unreachable: {self.session.errors[target.name]}", wave=wave)
        if target.name in self.plan_errors:
            return TargetOutcome(target.name, "failed", f"its plan failed: {self.plan_errors[target.name]}", wave=wave)
        conn = self.session.connected[target.name]
        try:
            if self.reviewed is not None:
                return self._reviewed(conn, target, wave)
            return self._converge(conn, target, wave)
        except DriftError as exc:
            return TargetOutcome(target.name, "refused", exc.message, wave=wave)
        except Exception as exc:  # one target's failure is reported and stops the rollout
            return TargetOutcome(target.name, "failed", describe_error(exc, self.session.urls.get(target.name)),
                                 wave=wave)

    def _plan(self, conn: psycopg.Connection, target: Target) -> Plan:
        shadows = self.session.shadows_for(conn)
        return plan_target(conn, target, self.desired, self.session.engine, shadows, self.session.options)

    def _converge(self, conn: psycopg.Connection, target: Target, wave: str) -> TargetOutcome:
        with apply_lock(conn, self.rollout.apply.apply_lock_wait):
            plan = self.planned.get(target.name) or self._plan(conn, target)
            if plan.empty and _fingerprint(conn, plan) != plan.live_fingerprint:
                plan = self._plan(conn, target)  # it changed since the wave was planned
            try:
                return self._apply(conn, target, plan, wave)
            except DriftError:
                # Changed since the wave was planned (another apply, a hand edit): nothing ran; it is
                # planned again, under its lock, as `schema apply` plans.
                return self._apply(conn, target, self._plan(conn, target), wave)

    def _reviewed(self, conn: psycopg.Connection, target: Target, wave: str) -> TargetOutcome:
        assert self.reviewed is not None
        entry = self.reviewed.get(target.name)
        if entry is None:
            return TargetOutcome(target.name, "refused", "the reviewed plan has no plan for it", wave=wave)
        if entry.plan is None:
            return TargetOutcome(target.name, "refused", f"its plan had failed: {entry.error}", wave=wave)
        plan = entry.plan
        if plan.desired_fingerprint != target.desired_for(self.desired).fingerprint():
            if not self.rollout.ignore_desired_mismatch:
                return TargetOutcome(target.name, "refused", "its plan was made from other schema files", wave=wave)
        with apply_lock(conn, self.rollout.apply.apply_lock_wait):
            if _applied_earlier(conn, plan, _without_existing_roles(conn, plan)):
                return TargetOutcome(target.name, "applied-earlier", wave=wave)
            if plan.empty and _fingerprint(conn, plan) != plan.live_fingerprint:
                raise DriftError("the live schema changed since the plan was made (drift); nothing ran")
            return self._apply(conn, target, plan, wave)

    def _apply(self, conn: psycopg.Connection, target: Target, plan: Plan, wave: str) -> TargetOutcome:
        """Apply `plan`; a plan creating roles first waits for any other target of the same cluster
        creating them, and leaves out those that exist by then (roles are the cluster's)."""
        if not _creates_roles(plan):
            return self._apply_now(conn, target, plan, wave)
        with self._cluster_lock(conn):
            plan = _without_existing_roles(conn, plan)
            if _creates_roles(plan):
                return self._apply_now(conn, target, plan, wave)  # holding the lock until they exist
        return self._apply_now(conn, target, plan, wave)

    def _cluster_lock(self, conn: psycopg.Connection) -> threading.Lock:
        with self._lock:
            return self._cluster_locks.setdefault(f"{conn.info.host}:{conn.info.port}", threading.Lock())

    def _apply_now(self, conn: psycopg.Connection, target: Target, plan: Plan, wave: str) -> TargetOutcome:
        if plan.empty:
            return TargetOutcome(target.name, "converged", wave=wave)
        result = apply_plan(conn, plan, self.rollout.apply)
        if self.rollout.apply.dry_run:
            return TargetOutcome(target.name, "dry-run", f"{result.steps_done} steps ran and were rolled back",
                                 result.steps_done, wave)
        after = self._plan(conn, target)
        if not after.empty:
            raise ApplyError(f"apply did not converge: {len(after.steps)} steps still pending")
        return TargetOutcome(target.name, "applied", f"{result.steps_done} steps", result.steps_done, wave)


def _fingerprint(conn: psycopg.Connection, plan: Plan) -> str:
    return catalog.read_snapshot(conn, ALWAYS_EXCLUDED).excluding(plan.scope.excludes).fingerprint()


def _creates_roles(plan: Plan) -> bool:
    return any(s.source == "roles" for s in plan.steps)


def _without_existing_roles(conn: psycopg.Connection, plan: Plan) -> Plan:
    """`plan` without the CREATE ROLE steps of roles that exist by now (what a new plan would say)."""
    wanted = [s.object for s in plan.steps if s.source == "roles"]
    if not wanted:
        return plan
    have = {r[0] for r in conn.execute("select rolname from pg_roles where rolname = any(%s)", [wanted])}
    steps = tuple(s for s in plan.steps if not (s.source == "roles" and s.object in have))
    return plan if len(steps) == len(plan.steps) else dataclasses.replace(plan, steps=steps)


def _applied_earlier(conn: psycopg.Connection, *plans: Plan) -> bool:
    """Whether this target's last recorded apply was one of these plans (the reviewed one, or it
    without the roles a sibling created), applied: a re-run resumes past it."""
    try:
        row = conn.execute(
            sql.SQL("select outcome, steps_digest, live_fingerprint from {}.apply_history order by id desc limit 1")
            .format(sql.Identifier(TOOL_SCHEMA))
        ).fetchone()
    except psycopg.errors.UndefinedTable:
        return False
    return row is not None and any(row == ("applied", p.steps_digest(), p.live_fingerprint) for p in plans)
