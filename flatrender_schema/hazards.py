"""Hazards: each planned statement parsed with pglast and classified against a closed catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pglast
from pglast import ast, enums


@dataclass(frozen=True, order=True)
class Hazard:
    code: str
    message: str


CATALOGUE: dict[str, str] = {
    "DELETES_DATA": "drops stored data (a table, a column, a sequence's state, or an enum value in use)",
    "TABLE_REWRITE": "rewrites the whole table under an ACCESS EXCLUSIVE lock (column type change)",
    "INDEX_BUILD": "builds an index on an existing table, blocking writes while it runs",
    "VALIDATION_SCAN": "validates a constraint by scanning an existing table",
    "NOT_NULL_SCAN": "SET NOT NULL scans an existing table under an ACCESS EXCLUSIVE lock",
    "DROPS_SCHEMA": "drops a schema",
    "ACCESS_EXCLUSIVE_LOCK": "takes an ACCESS EXCLUSIVE lock on an existing table",
}

DATA_LOSS = frozenset({"DELETES_DATA", "DROPS_SCHEMA"})


def _h(code: str) -> Hazard:
    return Hazard(code, CATALOGUE[code])


def _relname(rv: ast.RangeVar | None) -> str:
    if rv is None:
        return ""
    return f"{rv.schemaname or 'public'}.{rv.relname}"


def classify(sql_text: str, existing_tables: Iterable[str] = ()) -> tuple[Hazard, ...]:
    """Hazards of one statement; `existing_tables` are `schema.table` names present before the plan."""
    existing = set(existing_tables)
    found: set[Hazard] = set()
    try:
        stmts = pglast.parse_sql(sql_text)
    except pglast.parser.ParseError:
        return ()
    for raw in stmts:
        node = raw.stmt
        if isinstance(node, ast.DropStmt):
            kind = node.removeType
            if kind in (
                enums.ObjectType.OBJECT_TABLE,
                enums.ObjectType.OBJECT_MATVIEW,
                enums.ObjectType.OBJECT_SEQUENCE,
                enums.ObjectType.OBJECT_TYPE,
                enums.ObjectType.OBJECT_FOREIGN_TABLE,
            ):
                found.add(_h("DELETES_DATA"))
            elif kind == enums.ObjectType.OBJECT_SCHEMA:
                found.add(_h("DROPS_SCHEMA"))
        elif isinstance(node, ast.AlterTableStmt):
            table = _relname(node.relation)
            on_existing = table in existing
            for cmd in node.cmds or ():
                sub = cmd.subtype
                if sub == enums.AlterTableType.AT_DropColumn:
                    found.add(_h("DELETES_DATA"))
                elif sub == enums.AlterTableType.AT_AlterColumnType and on_existing:
                    found.add(_h("TABLE_REWRITE"))
                elif sub == enums.AlterTableType.AT_SetNotNull and on_existing:
                    found.add(_h("NOT_NULL_SCAN"))
                elif sub == enums.AlterTableType.AT_AddConstraint and on_existing:
                    con = cmd.def_
                    if isinstance(con, ast.Constraint):
                        if (
                            con.contype in (enums.ConstrType.CONSTR_FOREIGN, enums.ConstrType.CONSTR_CHECK)
                            and not con.skip_validation
                        ):
                            found.add(_h("VALIDATION_SCAN"))
                        elif (
                            con.contype in (enums.ConstrType.CONSTR_PRIMARY, enums.ConstrType.CONSTR_UNIQUE)
                            and not con.indexname
                        ):
                            found.add(_h("INDEX_BUILD"))
        elif isinstance(node, ast.IndexStmt):
            if _relname(node.relation) in existing and not node.concurrent:
                found.add(_h("INDEX_BUILD"))
    return tuple(sorted(found))


def action_of(sql_text: str) -> tuple[str, str]:
    """(action, object) for display: create/alter/drop and the object's name as written."""
    try:
        node = pglast.parse_sql(sql_text)[0].stmt
    except (pglast.parser.ParseError, IndexError):
        return "alter", ""
    name = type(node).__name__
    if isinstance(node, ast.DropStmt) or name.startswith("Drop"):
        action = "drop"
    elif name.startswith("Create") or isinstance(node, ast.IndexStmt | ast.ViewStmt | ast.CompositeTypeStmt):
        action = "create"
    elif isinstance(node, ast.GrantStmt):
        action = "grant" if node.is_grant else "revoke"
    elif isinstance(node, ast.InsertStmt):
        action = "insert"
    else:
        action = "alter"
    return action, _object_name(node)


def _object_name(node: ast.Node) -> str:
    for attr in ("relation", "view", "typeName"):
        value = getattr(node, attr, None)
        if isinstance(value, ast.RangeVar):
            return _relname(value)
    if isinstance(node, ast.CreateSchemaStmt):
        return str(node.schemaname)
    if isinstance(node, ast.DropStmt) and node.objects:
        first = node.objects[0]
        try:
            if isinstance(first, tuple):
                return ".".join(getattr(p, "sval", str(p)) for p in first)
            return str(getattr(first, "sval", "")) or type(first).__name__
        except TypeError:
            return ""
    if isinstance(node, ast.CommentStmt):
        return "comment"
    if isinstance(node, ast.GrantStmt) and node.objects:
        first = node.objects[0]
        if isinstance(first, ast.RangeVar):
            return _relname(first)
        return str(getattr(first, "sval", ""))
    if isinstance(node, ast.CreateRoleStmt):
        return str(node.role)
    if isinstance(node, ast.CreateExtensionStmt):
        return str(node.extname)
    return ""
