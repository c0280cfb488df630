"""Converge a verified copy of live to the shadow: the engine's statements and the gap layer's, then the
verification (`verify`), which a plan must pass or be an error.
"""

from __future__ import annotations

from pglast import ast, enums

from flatrender_schema import catalog
from flatrender_schema.after_builds import after_index_builds
from flatrender_schema.copy_of_live import Copy, Work
from flatrender_schema.declared.reference_data import reference_statements
from flatrender_schema.declared.type_changes import cast_exists, with_type_changes
from flatrender_schema.dependents import bring_in, drop_order
from flatrender_schema.engine import Scope
from flatrender_schema.engine.creates import as_target
from flatrender_schema.engine.validations import validate_instead_of_readd
from flatrender_schema.errors import PlanError
from flatrender_schema.online import make_online
from flatrender_schema.ordering import plan_order
from flatrender_schema.scratch_work import ANALYZE_CATALOGS, as_text, close_gaps, execute, run_gaps
from flatrender_schema.step import Step
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED


def _drops_schema(step: Step) -> bool:
    return isinstance(step.tree, ast.DropStmt) and step.tree.removeType == enums.ObjectType.OBJECT_SCHEMA


def converge(work: Work, copy: Copy) -> tuple[list[Step], list[Step]]:
    """The engine's and the gap layer's changes from live to the shadow, applied to `copy` and verified.
    With `copy.focus`, both engine diffs see only the objects it names."""
    sides, focus, skip = work.sides, copy.focus, work.skip
    live_inspection = copy.live_inspection
    if work.renames:
        execute(copy.conn, work.renames, "rename")
        # Diffing the copy (live with the renames applied) lets the engine see renamed objects as equal.
        copy.conn.execute(ANALYZE_CATALOGS)
        with work.engine_failures():
            live_inspection = work.engine.inspect(copy.conn)

    scope = Scope(ALWAYS_EXCLUDED, lambda kind, schema, name: kind == "extensions" or not skip(schema, name), focus)
    with work.engine_failures():
        engine_sql = work.engine.diff_inspected(live_inspection, copy.shadow_inspection, scope)
    planned = as_target([Step.parse(s, "engine") for s in engine_sql], sides.shadow_snap)
    planned = validate_instead_of_readd(planned, copy.snapshot, sides.shadow_snap)
    planned = with_type_changes(
        planned, work.desired, copy.snapshot, sides.shadow_snap, cast_exists(copy.conn, sides.shadow))
    # What the engine's statements use and the engine does not plan (domains) comes first, ordered
    # among them by dependency (a function a default calls before the table; a domain after the
    # function its CHECK calls).
    shadow_seen = sides.shadow_snap if focus is None else sides.shadow_snap.narrowed(focus)
    before = run_gaps(copy.conn, work.desired, copy.snapshot.excluding(skip), shadow_seen.excluding(skip), "before")
    # Dependents of what the statements drop and recreate come into the plan (dropped first, created
    # again last); drops wait for the drops of their dependents (both from live's pg_depend, on the copy).
    unordered = bring_in(copy.conn, before + planned, sides.shadow_snap)
    live_relations = sides.live_relations
    engine_changes = make_online(
        [unordered[i] for i in plan_order(unordered, drop_order(copy.conn, unordered))],
        set(live_relations),
        {name for name, kind in live_relations.items() if kind == "p"},
    )
    # A schema is dropped last: what the gap layer drops (a domain) may still be in it.
    schema_drops = [c for c in engine_changes if _drops_schema(c)]
    engine_changes = [c for c in engine_changes if not _drops_schema(c)]
    execute(copy.conn, engine_changes, "engine statement")

    work.progress("closing the gaps the engine leaves")
    target = sides.shadow_snap.excluding(skip)
    # A focused copy's snapshot so far covers the focus only: the verification reads it whole.
    changed = engine_changes or work.renames or focus is not None
    current = (catalog.read_snapshot(copy.conn, ALWAYS_EXCLUDED) if changed else copy.snapshot).excluding(skip)
    if focus is not None:
        # The copy outside the focus was the shadow; a statement that reached further changed the start.
        strays = catalog.differing_objects(current, target) - focus
        if strays:
            raise PlanError(f"the focused plan reaches beyond its focus: {sorted(strays)[:5]}")
    gap_changes, final = close_gaps(copy.conn, work.desired, current, target, "gap-layer statement", skip)
    gap_changes = after_index_builds(gap_changes, engine_changes)
    if schema_drops:
        execute(copy.conn, schema_drops, "engine statement")
        gap_changes += schema_drops
        final = catalog.read_snapshot(copy.conn, ALWAYS_EXCLUDED).excluding(skip)
    # Every declared row inserts on the copy (not the plan's rows, which depend on live's data).
    execute(copy.conn, as_text(copy.conn, reference_statements(None, work.desired)[0]), "reference row")

    work.progress("verifying the plan converges")
    verify(final, target)
    return engine_changes, gap_changes


def verify(final: catalog.Snapshot, target: catalog.Snapshot) -> None:
    """The copy after the plan must equal the shadow. What differs is seen but not planned: an error
    naming each object and what differs, never a success."""
    residual = catalog.explain(final, target)
    if residual:
        shown = "\n  ".join(residual[:20]) + (f"\n  ... and {len(residual) - 20} more" if len(residual) > 20 else "")
        raise PlanError(
            "cannot plan yet: after the plan, a scratch copy of live still differs from the desired state:\n  "
            + shown
        )
