"""A constraint going from NOT VALID to valid is validated, not dropped and added again.

The engine sees the definitions differ (pg_get_constraintdef ends in NOT VALID) and drops and re-adds
the constraint; VALIDATE CONSTRAINT reaches the same state under a weaker lock, and the constraint is
never missing meanwhile.
"""

from __future__ import annotations

from pglast import ast, enums
from psycopg import sql

from flatrender_schema.catalog import Snapshot
from flatrender_schema.step import Step

_NOT_VALID = " NOT VALID"
_STEPS = {
    enums.AlterTableType.AT_DropConstraint, enums.AlterTableType.AT_AddConstraint,
    enums.AlterTableType.AT_ValidateConstraint,
}


def _to_validate(current: Snapshot, target: Snapshot) -> set[tuple[str, str, str]]:
    """(schema, table, name) of constraints NOT VALID now and valid, otherwise the same, in `target`."""
    want = {(r["schema"], r["table"], r["name"]): r for r in target.rows("constraints")}
    out = set()
    for r in current.rows("constraints"):
        key = (r["schema"], r["table"], r["name"])
        w = want.get(key)
        if (
            w is not None and r["validated"] is False and w["validated"] is True and w["type"] == r["type"]
            and r["definition"].endswith(_NOT_VALID) and r["definition"][: -len(_NOT_VALID)] == w["definition"]
        ):
            out.add(key)
    return out


def _step_of(step: Step) -> tuple[str, str, str] | None:
    """The constraint a single-clause ALTER TABLE drops, adds or validates."""
    node = step.tree
    if not isinstance(node, ast.AlterTableStmt) or len(node.cmds or ()) != 1 or node.relation is None:
        return None
    cmd = node.cmds[0]
    if cmd.subtype not in _STEPS:
        return None
    name = cmd.def_.conname if isinstance(cmd.def_, ast.Constraint) else cmd.name
    return (node.relation.schemaname or "public", node.relation.relname, name or "")


def validate_instead_of_readd(steps: list[Step], current: Snapshot, target: Snapshot) -> list[Step]:
    keys = _to_validate(current, target)
    if not keys:
        return steps
    out: list[Step] = []
    done: set[tuple[str, str, str]] = set()
    for step in steps:
        key = _step_of(step)
        if key not in keys:
            out.append(step)
        elif key not in done:
            done.add(key)
            text = sql.SQL("alter table {} validate constraint {};").format(
                sql.Identifier(key[0], key[1]), sql.Identifier(key[2])).as_string(None)
            out.append(Step.parse(text, step.source, step.phase))
    return out
