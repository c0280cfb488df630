"""Tables created as the target has them, in an order that works: the engines' CREATE TABLE, corrected.

- An inheritance child lists only its own columns: the engines write every column into
  CREATE TABLE ... INHERITS, which makes each one the child's own too (attislocal), and nothing can
  make a column inherited-only afterwards.
- An identity column is created with its sequence options (START, INCREMENT, ...): the engines write
  a bare GENERATED ... AS IDENTITY, and changing the bounds of a fresh sequence afterwards can fail.
- A child is created after its parents: the engines order creates by name.
"""

from __future__ import annotations

import re
from typing import Any

import pglast
from pglast import ast, enums

from flatrender_schema.catalog import Snapshot
from flatrender_schema.sqlnorm import deparse

_CANDIDATE = re.compile(r"\b(inherits|identity)\b", re.I)
_CREATE_TABLE = re.compile(r"^\s*create\s+(?:unlogged\s+)?table\b", re.I)
_IDENTITY_OPTIONS = (
    ("start", "identity_start"), ("increment", "identity_increment"), ("minvalue", "identity_min"),
    ("maxvalue", "identity_max"), ("cache", "identity_cache"),
)


_UNSPEC = enums.DefElemAction.DEFELEM_UNSPEC


def as_target(statements: list[str], target: Snapshot) -> list[str]:
    """`statements` (an engine's, towards `target`) with its CREATE TABLEs corrected and ordered."""
    columns = {(r["schema"], r["table"], r["name"]): r for r in target.rows("columns")
               if r.get("local") is False or (r.get("identity") and not _default_identity(r))}
    if not columns and not any("inherits" in s.lower() for s in statements):
        return statements
    inheriting = any("inherits" in s.lower() for s in statements)
    out: list[str] = []
    parents_of: dict[int, set[tuple[str, str]]] = {}
    created: dict[tuple[str, str], int] = {}
    for statement in statements:
        if _CANDIDATE.search(statement) or (inheriting and _CREATE_TABLE.match(statement)):
            statement, made, parents = _rewritten(statement, columns)
            if made is not None:
                created[made] = len(out)
                if parents:
                    parents_of[len(out)] = parents
        out.append(statement)
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
    statement: str, columns: dict[tuple[str, str, str], dict[str, Any]]
) -> tuple[str, tuple[str, str] | None, set[tuple[str, str]]]:
    try:
        tree = pglast.parse_sql(statement)
    except pglast.parser.ParseError:
        return statement, None, set()
    if len(tree) != 1 or not isinstance(tree[0].stmt, ast.CreateStmt):
        return statement, None, set()
    create = tree[0].stmt
    schema, table = create.relation.schemaname or "public", create.relation.relname
    parents = {(p.schemaname or "public", p.relname) for p in create.inhRelations or ()}
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
        statement = deparse(create) + ";"
    return statement, (schema, table), parents


def _with_identity_options(column: ast.ColumnDef, row: dict[str, Any]) -> bool:
    for constraint in column.constraints or ():
        if isinstance(constraint, ast.Constraint) and constraint.contype == enums.ConstrType.CONSTR_IDENTITY:
            options = [ast.DefElem(defname=name, arg=ast.Integer(int(row[field])), defaction=_UNSPEC)
                       for name, field in _IDENTITY_OPTIONS if row.get(field) is not None]
            if row.get("identity_cycle"):
                options.append(ast.DefElem(defname="cycle", arg=ast.Boolean(True), defaction=_UNSPEC))
            constraint.options = tuple(options) or None
            return True
    return False


def _parents_first(
    statements: list[str], parents_of: dict[int, set[tuple[str, str]]], created: dict[tuple[str, str], int]
) -> list[str]:
    """Each CREATE TABLE ... INHERITS moved after the creation of a parent created later in the list."""
    order = list(range(len(statements)))
    for index, parents in sorted(parents_of.items()):
        later = [created[p] for p in parents if created.get(p, -1) > index]
        if later:
            order.remove(index)
            order.insert(order.index(max(later)) + 1, index)
    return [statements[i] for i in order]
