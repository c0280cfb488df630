"""The facts about the desired tables that the distribution is derived from, read with pglast.

Two readers fill the same values: `from_desired` (plan, apply: the loaded `Desired`) and the lint
rules (their `Catalog`, gathered in lint's one walk). Only what placement needs: columns and their
types, partitions, foreign keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pglast
from pglast import ast
from pglast.enums import AlterTableType, ConstrType

if TYPE_CHECKING:
    from flatrender_schema.desired import Desired


QName = tuple[str, str]


@dataclass(frozen=True)
class ForeignKeyFact:
    columns: tuple[str, ...]
    target: QName
    target_columns: tuple[str, ...]


@dataclass
class TableFact:
    name: QName
    columns: dict[str, str] = field(default_factory=dict)  # column -> type name as written (last part)
    partition_of: QName | None = None
    partitioned: bool = False
    foreign_keys: list[ForeignKeyFact] = field(default_factory=list)

    @property
    def qualified(self) -> str:
        return f"{self.name[0]}.{self.name[1]}"


def _names(nodes: tuple[ast.Node, ...] | None) -> tuple[str, ...]:
    return tuple(n.sval for n in nodes or () if isinstance(n, ast.String))


def _qname(rv: ast.RangeVar, default_schema: str) -> QName:
    return (rv.schemaname or default_schema, rv.relname)


def _fk(node: ast.Constraint, column: str | None, schema: str) -> ForeignKeyFact | None:
    if node.contype != ConstrType.CONSTR_FOREIGN or node.pktable is None:
        return None
    columns = _names(node.fk_attrs) or ((column,) if column else ())
    return ForeignKeyFact(columns, _qname(node.pktable, schema), _names(node.pk_attrs))


def from_desired(desired: Desired) -> dict[QName, TableFact]:
    """Every table the desired state's SQL creates (service schemas; names as written, unqualified
    names taken to be in their service's schema, as FlatRender's files are schema-qualified)."""
    tables: dict[QName, TableFact] = {}
    for service in desired.services:
        for stmt in service.statements:
            try:
                nodes = pglast.parse_sql(stmt.sql)
            except pglast.parser.ParseError:
                continue  # the shadow reports it, with its place
            for raw in nodes:
                _read(raw.stmt, service.schema, tables)
    return tables


def _read(node: ast.Node, schema: str, tables: dict[QName, TableFact]) -> None:
    if isinstance(node, ast.CreateStmt) and node.relation.relpersistence != "t":
        fact = tables.setdefault(_qname(node.relation, schema), TableFact(_qname(node.relation, schema)))
        if node.partbound is not None and node.inhRelations:
            fact.partition_of = _qname(node.inhRelations[0], schema)
        fact.partitioned = node.partspec is not None
        for element in node.tableElts or ():
            if isinstance(element, ast.ColumnDef):
                type_names = _names(element.typeName.names) if element.typeName is not None else ()
                fact.columns[element.colname] = type_names[-1] if type_names else ""
                for c in element.constraints or ():
                    fk = _fk(c, element.colname, schema)
                    if fk:
                        fact.foreign_keys.append(fk)
            elif isinstance(element, ast.Constraint):
                fk = _fk(element, None, schema)
                if fk:
                    fact.foreign_keys.append(fk)
    elif isinstance(node, ast.AlterTableStmt) and node.relation is not None:
        fact = tables.get(_qname(node.relation, schema))
        if fact is None:
            return
        for cmd in node.cmds or ():
            if not isinstance(cmd, ast.AlterTableCmd):
                continue
            if cmd.subtype == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
                type_names = _names(cmd.def_.typeName.names) if cmd.def_.typeName is not None else ()
                fact.columns[cmd.def_.colname] = type_names[-1] if type_names else ""
            elif cmd.subtype == AlterTableType.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
                fk = _fk(cmd.def_, None, schema)
                if fk:
                    fact.foreign_keys.append(fk)
