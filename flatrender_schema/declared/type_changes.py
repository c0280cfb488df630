"""Column type changes the engine writes as `USING col::newtype`, made to work.

- A declared conversion (flatrender_schema/conversions.py) gives the change its USING expression.
- With none declared and no cast from the old type to the new one (bigint -> timestamp), there is no
  USING the tool could guess: the column is dropped and added again in one ALTER TABLE, as the desired
  state has it. The hazard classifier reads that statement as TYPE_CHANGE_WITHOUT_CAST (data loss,
  refused unless allowed), whose message says how to declare the conversion instead.
- A default changing with the type is dropped before the type change and set after it: the old
  default may not cast to the new type, the new default does not fit the old one.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pglast
import psycopg
from pglast import ast, enums
from psycopg import sql

from flatrender_schema.catalog import Snapshot
from flatrender_schema.conversions import Column
from flatrender_schema.desired import Desired
from flatrender_schema.step import Step

_COLUMN_CHANGES = (
    enums.AlterTableType.AT_AlterColumnType, enums.AlterTableType.AT_ColumnDefault,
    enums.AlterTableType.AT_SetNotNull, enums.AlterTableType.AT_DropNotNull,
)
Castable = Callable[[str, str], bool]


@dataclass(frozen=True)
class _ColumnStatement:
    index: int
    column: Column
    subtype: enums.AlterTableType
    node: ast.AlterTableStmt


def _column_statements(steps: list[Step]) -> list[_ColumnStatement]:
    """The engine's single-clause ALTER TABLE ... ALTER COLUMN statements (type, default, not null)."""
    out = []
    for i, step in enumerate(steps):
        node = step.tree
        if not isinstance(node, ast.AlterTableStmt) or len(node.cmds or ()) != 1 or node.relation is None:
            continue
        cmd = node.cmds[0]
        if cmd.subtype in _COLUMN_CHANGES and cmd.name:
            column = (node.relation.schemaname or "public", node.relation.relname, cmd.name)
            out.append(_ColumnStatement(i, column, cmd.subtype, node))
    return out


def cast_exists(*conns: psycopg.Connection) -> Castable:
    """Whether PostgreSQL can cast `old` to `new` (explicitly, as USING col::new does), asked of the
    first of `conns` that knows both types (a type may exist on one side only)."""

    def castable(old: str, new: str) -> bool:
        for conn in conns:
            try:
                with conn.transaction():
                    conn.execute(sql.SQL("select null::{}::{}").format(sql.SQL(old), sql.SQL(new)))
                return True
            except psycopg.errors.CannotCoerce:
                return False
            except psycopg.errors.IntegrityError:
                return True  # the cast exists; a null breaks the target domain's NOT NULL or CHECK
            except psycopg.Error:
                continue  # a type unknown here (or not written so this side can read it)
        return False

    return castable


def _expression(text: str) -> ast.Node:
    select = pglast.parse_sql(f"select ({text})")[0].stmt
    return select.targetList[0].val  # type: ignore[no-any-return]


def _statement(template: str, *args: sql.Composable) -> str:
    return sql.SQL(template).format(*args).as_string(None) + ";"


def _recreated(cur: dict[str, Any], want: dict[str, Any]) -> str:
    """The column dropped and added again as `want` has it, in one statement."""
    table, column = sql.Identifier(want["schema"], want["table"]), sql.Identifier(want["name"])
    parts = [sql.SQL(want["type"])]
    if want.get("collation"):
        parts.append(sql.SQL("collate {}").format(sql.SQL(want["collation"])))
    if want.get("default") is not None:
        parts.append(sql.SQL("default {}").format(sql.SQL(want["default"])))
    if want.get("not_null"):
        parts.append(sql.SQL("not null"))
    return _statement("alter table {} drop column {}, add column {} {}", table, column, column,
                      sql.SQL(" ").join(parts))


def with_type_changes(
    statements: list[Step], desired: Desired, current: Snapshot, target: Snapshot, castable: Castable
) -> list[Step]:
    """`statements` (the engine's, from `current` towards `target`) with their type changes corrected."""
    found = _column_statements(statements)
    if not found:
        return statements
    have = {(r["schema"], r["table"], r["name"]): r for r in current.rows("columns")}
    want = {(r["schema"], r["table"], r["name"]): r for r in target.rows("columns")}
    by_column: dict[Column, list[_ColumnStatement]] = {}
    for s in found:
        by_column.setdefault(s.column, []).append(s)
    conversions = desired.conversions
    replaced: dict[int, list[Step]] = {}
    for column, column_statements in by_column.items():
        cur, new = have.get(column), want.get(column)
        types = [s for s in column_statements if s.subtype == enums.AlterTableType.AT_AlterColumnType]
        if cur is None or new is None or len(types) != 1 or cur["type"] == new["type"]:
            continue
        if cur.get("generated") or new.get("generated") or cur.get("identity") or new.get("identity"):
            continue  # their expressions and sequences are other statements' business
        change = types[0]
        conversion = conversions.get(column)
        if conversion is None and not castable(cur["type"], new["type"]):
            replaced[change.index] = [Step.parse(_recreated(cur, new), "engine")]
            replaced.update({s.index: [] for s in column_statements if s is not change})
            continue
        if conversion is not None:
            converted = copy.deepcopy(change.node)  # the engine's step keeps its own tree
            converted.cmds[0].def_.raw_default = _expression(conversion.using)
            type_change = Step.of_tree(converted, "engine")
        else:
            type_change = statements[change.index]
        defaults = [s for s in column_statements if s.subtype == enums.AlterTableType.AT_ColumnDefault]
        if not defaults and (conversion is None or cur.get("default") is None):
            replaced[change.index] = [type_change]
            continue
        table, name = sql.Identifier(*column[:2]), sql.Identifier(column[2])
        around = [type_change]
        if cur.get("default") is not None:
            around.insert(0, Step.parse(_statement("alter table {} alter column {} drop default", table, name),
                                        "engine"))
        if new.get("default") is not None:
            around.append(Step.parse(_statement("alter table {} alter column {} set default {}", table, name,
                                                sql.SQL(new["default"])), "engine"))
        replaced[change.index] = around
        replaced.update({s.index: [] for s in defaults})
    if not replaced:
        return statements
    return [out for i, s in enumerate(statements) for out in replaced.get(i, [s])]
