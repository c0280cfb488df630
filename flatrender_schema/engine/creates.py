"""Tables created as the target has them, in an order that works: the engines' CREATE TABLE, corrected.

- An inheritance child lists only its own columns: the engines write every column into
  CREATE TABLE ... INHERITS, which makes each one the child's own too (attislocal), and nothing can
  make a column inherited-only afterwards.
- An identity column is created with its sequence options (START, INCREMENT, ...): the engines write
  a bare GENERATED ... AS IDENTITY, and changing the bounds of a fresh sequence afterwards can fail.
- A child is created after its parents: the engines order creates by name.
"""

from __future__ import annotations

import copy
from typing import Any

from pglast import ast, enums

from flatrender_schema.catalog import Snapshot
from flatrender_schema.catalog.areas.columns import IDENTITY_OPTIONS
from flatrender_schema.step import Step

_UNSPEC = enums.DefElemAction.DEFELEM_UNSPEC


def as_target(steps: list[Step], target: Snapshot) -> list[Step]:
    """`steps` (an engine's, towards `target`) with its CREATE TABLEs corrected and ordered."""
    columns = {(r["schema"], r["table"], r["name"]): r for r in target.rows("columns")
               if r.get("local") is False or (r.get("identity") and not _default_identity(r))}
    if not columns and not any(isinstance(s.tree, ast.CreateStmt) and s.tree.inhRelations for s in steps):
        return steps
    out: list[Step] = []
    parents_of: dict[int, set[tuple[str, str]]] = {}
    created: dict[tuple[str, str], int] = {}
    for step in steps:
        if isinstance(step.tree, ast.CreateStmt):
            step, made, parents = _rewritten(step, step.tree, columns)
            created[made] = len(out)
            if parents:
                parents_of[len(out)] = parents
        out.append(step)
    return _parents_first(out, parents_of, created) if parents_of else out


_TYPE_MAX = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}


def _default_identity(row: dict[str, Any]) -> bool:
    """An identity whose sequence has the options a bare GENERATED ... AS IDENTITY gives."""
    top = _TYPE_MAX.get(str(row.get("identity_type")))
    return top is not None and (
        row["identity_start"], row["identity_increment"], row["identity_min"], row["identity_max"],
        row["identity_cache"], row["identity_cycle"],
    ) == (1, 1, 1, top, 1, False)


def _rewritten(
    step: Step, create: ast.CreateStmt, columns: dict[tuple[str, str, str], dict[str, Any]]
) -> tuple[Step, tuple[str, str], set[tuple[str, str]]]:
    schema, table = create.relation.schemaname or "public", create.relation.relname
    parents = {(p.schemaname or "public", p.relname) for p in create.inhRelations or ()}
    if not any(isinstance(e, ast.ColumnDef) and (schema, table, e.colname) in columns for e in create.tableElts or ()):
        return step, (schema, table), parents
    create = copy.deepcopy(create)  # the step keeps its own tree
    kept: list[Any] = []
    changed = False
    for element in create.tableElts or ():
        row = columns.get((schema, table, element.colname)) if isinstance(element, ast.ColumnDef) else None
        if row is not None and row.get("local") is False and parents:
            changed = True
            continue
        if row is not None and row.get("identity"):
            changed |= _with_identity_options(element, row)
        kept.append(element)
    if changed:
        create.tableElts = tuple(kept) or None
        step = Step.of_tree(create, step.source, step.phase)
    return step, (schema, table), parents


def _with_identity_options(column: ast.ColumnDef, row: dict[str, Any]) -> bool:
    for constraint in column.constraints or ():
        if isinstance(constraint, ast.Constraint) and constraint.contype == enums.ConstrType.CONSTR_IDENTITY:
            options = [ast.DefElem(defname=name, arg=ast.Integer(int(row[field])), defaction=_UNSPEC)
                       for field, name in IDENTITY_OPTIONS if row.get(field) is not None]
            if row.get("identity_cycle"):
                options.append(ast.DefElem(defname="cycle", arg=ast.Boolean(True), defaction=_UNSPEC))
            constraint.options = tuple(options) or None
            return True
    return False


def _parents_first(
    statements: list[Step], parents_of: dict[int, set[tuple[str, str]]], created: dict[tuple[str, str], int]
) -> list[Step]:
    """Each CREATE TABLE ... INHERITS moved after the creation of a parent created later in the list."""
    order = list(range(len(statements)))
    for index, parents in sorted(parents_of.items()):
        later = [created[p] for p in parents if created.get(p, -1) > index]
        if later:
            order.remove(index)
            order.insert(order.index(max(later)) + 1, index)
    return [statements[i] for i in order]
