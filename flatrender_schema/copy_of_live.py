"""A verified scratch copy of live's schema (no data), made by the first of several attempts that works.

Every plan is verified on such a copy: the engine's and the gap layer's statements are applied to it,
and it must then equal the shadow. The copy must equal live exactly first (a plan verified on
something else proves nothing about live). The attempts, cheapest first:

1. `narrowed_shadow`: the shadow itself, inside a transaction rolled back afterwards, turned into
   live's shape on the objects that differ only (a fraction of the work at thousands of tables).
2. `the_shadow`: the shadow turned into live's shape whole (a cached shadow inside a rolled-back
   transaction, so the cache stays as it was built).
3. `file_copy_of_the_shadow`: a cached shadow's file copy, turned likewise (when the plan failed inside
   the transaction: a statement that cannot run in one).
4. `empty_database`: live's schema replayed into an empty database.

The first three need live to be mostly built already (the reverse diff is then far cheaper than a
replay). An attempt that cannot make an exact copy raises `CopyFailed`, and the next one is tried.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg

from flatrender_schema import catalog
from flatrender_schema.citus import shadow as citus_shadow
from flatrender_schema.desired import Desired, Statement
from flatrender_schema.engine import Engine, Scope
from flatrender_schema.engine.creates import as_target
from flatrender_schema.errors import InputError, Location, PlanError
from flatrender_schema.focus import Focus
from flatrender_schema.plan import PlanScope
from flatrender_schema.plan_failures import named_failures
from flatrender_schema.postgres.connect import connection
from flatrender_schema.scratch import DevServer
from flatrender_schema.scratch_work import ANALYZE_AFTER, ANALYZE_CATALOGS, close_gaps, rolled_back, run_gaps
from flatrender_schema.shadow import run_with_retries
from flatrender_schema.shadow_cache import remembered
from flatrender_schema.step import Step
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

Progress = Callable[[str], None]


class CopyFailed(PlanError):
    """This attempt could not make an exact copy of live: the next one may."""


@dataclass
class Sides:
    """What the planner knows of both databases, each read once."""

    live: psycopg.Connection
    shadow: psycopg.Connection
    live_snap: catalog.Snapshot
    shadow_snap: catalog.Snapshot
    live_inspection: Future[Any] | None  # started while the shadow was built, when it was built
    pool: ThreadPoolExecutor  # one thread for live's side
    cached: bool  # the shadow is a cached one: what is read from it is kept with it

    @property
    def live_relations(self) -> dict[str, str]:
        """Live's relations, `schema.name` -> relkind (hazards and the online rewrite ask what exists)."""
        return {f"{r['schema']}.{r['name']}": r["kind"] for r in self.live_snap.rows("relations")}


@dataclass
class Work:
    """Everything an attempt and the convergence on its copy need."""

    stack: contextlib.ExitStack
    sides: Sides
    desired: Desired
    dev: DevServer
    engine: Engine
    plan_scope: PlanScope
    skip: Callable[[str, str], bool]
    renames: list[Step]
    progress: Progress
    # How each attempt tried so far failed: "copy" (no exact copy of live) or "plan" (its plan did not work).
    failures: dict[str, str] = field(default_factory=dict)
    _inspections: dict[str, Any] = field(default_factory=dict)

    @property
    def mostly_built(self) -> bool:
        """Live holds most of the desired state: the shadow turned back into live's shape is cheaper
        than replaying live into an empty database."""
        live, shadow = len(self.sides.live_snap.rows("relations")), len(self.sides.shadow_snap.rows("relations"))
        return live * 2 >= shadow > 50

    @property
    def focus(self) -> Focus | None:
        """The objects whose catalog rows differ, when a narrowed plan is worth trying."""
        if not self.mostly_built or self.renames:
            return None
        if "focus" not in self._inspections:
            self._inspections["focus"] = catalog.differing_objects(self.sides.live_snap, self.sides.shadow_snap)
        return self._inspections["focus"]  # type: ignore[no-any-return]

    def differing_objects(self) -> Focus:
        """The objects live and the desired state differ in: what a failure to plan names."""
        return catalog.differing_objects(self.sides.live_snap, self.sides.shadow_snap)

    def engine_failures(self) -> contextlib.AbstractContextManager[None]:
        return named_failures(f"the {self.engine.name} engine", self.differing_objects)

    def start_live_inspection(self) -> None:
        """Read live's model in the second thread (narrowed to the focus) while the shadow's is read,
        unless it was started whole while the shadow was built."""
        if self.sides.live_inspection is None:
            self._inspections["early is narrowed"] = self.focus is not None
            self.sides.live_inspection = self.sides.pool.submit(self.engine.inspect, self.sides.live, self.focus)

    def live_inspection(self, narrowed: bool) -> Any:
        """The engine's model of live: narrowed to the focus (or whole), or whole."""
        self.start_live_inspection()
        assert self.sides.live_inspection is not None
        if narrowed or not self._inspections.get("early is narrowed"):
            with self.engine_failures():
                return self.sides.live_inspection.result()
        # Whole: not from the narrowed one, which may have failed (the engine on a partial model, e.g.
        # an ops-created partition in the focus without its parent): that must not fail this attempt.
        if "live" not in self._inspections:
            with self.engine_failures():
                self._inspections["live"] = self.engine.inspect(self.sides.live)
        return self._inspections["live"]

    @property
    def shadow_inspection(self) -> Any:
        if "shadow" not in self._inspections:
            sides, engine = self.sides, self.engine

            def read() -> Any:
                return engine.inspect(sides.shadow)

            with self.engine_failures():
                self._inspections["shadow"] = (
                    remembered(sides.shadow, "inspection", engine.inspection_type, read, engine.name)
                    if sides.cached else read()
                )
        return self._inspections["shadow"]


@dataclass
class Copy:
    """A scratch database equal to live (on `focus`, when narrowed), and what planning on it needs."""

    conn: psycopg.Connection
    snapshot: catalog.Snapshot  # the copy's, narrowed to `focus` when set
    live_inspection: Any
    shadow_inspection: Any
    focus: Focus | None = None


@dataclass(frozen=True)
class Attempt:
    name: str
    applies: Callable[[Work], bool]
    open: Callable[[Work], contextlib.AbstractContextManager[Copy]]
    # A plan that fails on this attempt's copy is tried on the next attempt's (a narrowed plan may
    # reach beyond its focus; a cached shadow's transaction may refuse a statement).
    falls_back: Callable[[Work], bool] = lambda work: False


@contextlib.contextmanager
def _narrowed_shadow(work: Work) -> Iterator[Copy]:
    focus, sides = work.focus, work.sides
    assert focus is not None
    live_inspection = work.live_inspection(narrowed=True)
    with rolled_back(sides.shadow):
        start = sides.shadow_snap.narrowed(focus)
        snap = clone(work, sides.shadow, work.shadow_inspection, live_inspection, start, focus)
        yield Copy(sides.shadow, snap, live_inspection, work.shadow_inspection, focus)


@contextlib.contextmanager
def _the_shadow(work: Work) -> Iterator[Copy]:
    sides = work.sides
    live_inspection = work.live_inspection(narrowed=False)
    with rolled_back(sides.shadow) if sides.cached else contextlib.nullcontext():
        snap = clone(work, sides.shadow, work.shadow_inspection, live_inspection, sides.shadow_snap)
        yield Copy(sides.shadow, snap, live_inspection, work.shadow_inspection)


@contextlib.contextmanager
def _file_copy_of_the_shadow(work: Work) -> Iterator[Copy]:
    sides = work.sides
    work.progress("planning on a file copy of the cached shadow instead")
    template = sides.shadow.info.dbname
    sides.shadow.close()  # a template database must have no connections
    conn = work.stack.enter_context(work.dev.database("copy", template))
    sides.shadow = work.stack.enter_context(connection(work.dev.url_for(template), autocommit=True))
    live_inspection = work.live_inspection(narrowed=False)
    snap = clone(work, conn, work.shadow_inspection, live_inspection, sides.shadow_snap)
    yield Copy(conn, snap, live_inspection, work.shadow_inspection)


@contextlib.contextmanager
def _empty_database(work: Work) -> Iterator[Copy]:
    conn = work.stack.enter_context(work.dev.database("copy"))
    citus_shadow.prepare_copy(conn, work.sides.live_snap.rows("extensions"))  # Citus: see citus/shadow.py
    live_inspection = work.live_inspection(narrowed=False)
    try:
        with work.engine_failures():
            empty = work.engine.inspect(conn)
        snap = clone(work, conn, empty, live_inspection, None)
    except CopyFailed as exc:
        # A plan verified on something else than live proves nothing about live.
        raise PlanError(f"the plan cannot be verified: {exc.message}") from None
    yield Copy(conn, snap, live_inspection, work.shadow_inspection)


ATTEMPTS = (
    Attempt("narrowed_shadow", lambda w: w.focus is not None, _narrowed_shadow, lambda w: True),
    Attempt("the_shadow", lambda w: w.mostly_built, _the_shadow, lambda w: w.sides.cached),
    # Only when the plan failed inside the cached shadow's transaction: a copy the engine could not
    # make from the shadow, it cannot make from the shadow's file copy either.
    Attempt(
        "file_copy_of_the_shadow",
        lambda w: w.mostly_built and w.sides.cached and w.failures.get("the_shadow") == "plan",
        _file_copy_of_the_shadow,
    ),
    Attempt("empty_database", lambda w: True, _empty_database),
)


def clone(
    work: Work,
    copy: psycopg.Connection,
    copy_inspection: Any,
    live_inspection: Any,
    start_snap: catalog.Snapshot | None,
    focus: Focus | None = None,
) -> catalog.Snapshot:
    """Turn the scratch database `copy` (inspected as `copy_inspection`, its snapshot `start_snap` if
    known) into live's schema, without live's data, and check it equals live (on `focus`, if set).
    Returns the copy's snapshot; `CopyFailed` when it cannot be made exact."""
    live_seen = work.sides.live_snap if focus is None else work.sides.live_snap.narrowed(focus)
    scope = Scope(ALWAYS_EXCLUDED, only=focus)
    copy.execute("set check_function_bodies = off")
    with work.engine_failures():
        engine_sql = work.engine.diff_inspected(copy_inspection, live_inspection, scope)
    statements = [s.sql for s in as_target([Step.parse(s, "engine") for s in engine_sql], live_seen)]
    clone_desired = Desired(None) if work.desired.project is None else work.desired
    start = catalog.read_snapshot(copy, ALWAYS_EXCLUDED, focus) if start_snap is None else start_snap
    statements = [c.sql for c in run_gaps(copy, clone_desired, start, live_seen, stage="before")] + statements
    # The copy is ours: any working order will do, so statements whose dependency comes later retry.
    try:
        run_with_retries(copy, tuple(Statement(s, Location("live copy")) for s in statements))
        snap = catalog.read_snapshot(copy, ALWAYS_EXCLUDED, focus)
        fixes, snap = close_gaps(copy, clone_desired, snap, live_seen, "copying live", only=focus)
    except InputError as exc:
        raise CopyFailed(f"copying live fails on the scratch copy: {exc.message}") from None
    except PlanError as exc:
        raise CopyFailed(exc.message) from None
    if len(statements) + len(fixes) > ANALYZE_AFTER:
        copy.execute(ANALYZE_CATALOGS)
    excludes = work.plan_scope.excludes
    differences = catalog.explain(snap.excluding(excludes), live_seen.excluding(excludes))
    if differences:
        raise CopyFailed(
            f"the engine cannot build an exact scratch copy of live ({len(differences)} differences):\n  "
            + "\n  ".join(differences[:10])
        )
    return snap
