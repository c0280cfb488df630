"""Facts the cross-file rules need, gathered by a visitor in the same walk as the rules.

Tables with their columns, keys, indexes and partitioning; foreign keys; comments on columns.
Names are recorded as written together with the search_path in force, and resolved in `finish()`,
once every file was read (an unqualified name resolves to the first schema on the path holding a
table of that name, else to the schema it would be created in).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pglast import ast
from pglast.enums import AlterTableType, ConstrType, ObjectType

from flatrender_schema.errors import Location
from flatrender_schema.lint.walk import Site

QName = tuple[str | None, str]  # (schema, name); schema None when nothing on the search_path applies
SYSTEM_SCHEMAS = frozenset({"pg_catalog", "pg_temp", "information_schema"})


@dataclass(frozen=True)
class Ref:
    """A relation name as written, with the search_path it is read under."""

    schema: str | None
    name: str
    search_path: tuple[str, ...]
    default_path: bool

    @property
    def qualified(self) -> bool:
        return self.schema is not None

    @property
    def creation_schema(self) -> str | None:
        """The schema an object of this name is created in."""
        if self.schema is not None:
            return self.schema
        return next((s for s in self.search_path if s != "$user" and s not in SYSTEM_SCHEMAS), None)

    @classmethod
    def of(cls, rv: ast.RangeVar, site: Site) -> Ref:
        st = site.statement
        return cls(rv.schemaname, rv.relname, st.search_path, st.default_path)


@dataclass(eq=False)
class Column:
    """A column of a table as written, with where it is written."""

    name: str
    type_names: tuple[str, ...]
    not_null: bool
    location: Location


@dataclass(eq=False)
class ForeignKey:
    """A foreign key as written; `table` and `target` are resolved in `Catalog.finish`."""

    table_ref: Ref
    columns: tuple[str, ...]
    target_ref: Ref
    target_columns: tuple[str, ...]
    location: Location
    site: Site
    table: QName = (None, "")
    target: QName = (None, "")


@dataclass(eq=False)
class Table:
    """A table of the desired state, with the facts the cross-file rules read."""

    name: QName
    location: Location
    site: Site
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: tuple[str, ...] | None = None
    keys: list[tuple[str, ...]] = field(default_factory=list)  # PK, UNIQUE and index column lists
    partition_strategy: str | None = None
    partition_key: tuple[str | None, ...] = ()  # column names; None for an expression
    partition_of: QName | None = None
    bound_from: tuple[str, ...] = ()  # FOR VALUES FROM (...) as written, for range partitions
    temporary: bool = False

    @property
    def qualified_name(self) -> str:
        return f"{self.name[0]}.{self.name[1]}"


def _names(nodes: tuple[ast.Node, ...] | None) -> tuple[str, ...]:
    return tuple(n.sval for n in nodes or () if isinstance(n, ast.String))


def _const_text(node: ast.Node) -> str:
    while isinstance(node, ast.TypeCast):
        node = node.arg
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
        return node.val.sval
    if isinstance(node, ast.ColumnRef):  # MINVALUE / MAXVALUE
        return ".".join(_names(node.fields))
    return ""


class Catalog:
    """A visitor (see walk.py) collecting facts; query it only after `finish()`."""

    def __init__(self) -> None:
        self.tables: dict[QName, Table] = {}
        self.foreign_keys: list[ForeignKey] = []
        self.column_comments: dict[tuple[str | None, str, str], tuple[str, Location]] = {}
        self._pending_tables: list[tuple[Ref, Table, ast.CreateStmt, Ref | None]] = []
        self._keys: list[tuple[Ref, tuple[str, ...], bool]] = []  # (table, columns, is primary key)
        self._not_null: list[tuple[Ref, str]] = []
        self._columns: list[tuple[Ref, Column]] = []
        self._comments: list[tuple[Ref, str, str, Location]] = []
        self.shared: dict[str, object] = {}  # facts several checks gather once per run (`Check.visitors`)

    # -- the walk ----------------------------------------------------------------------------

    def visit_CreateStmt(self, node: ast.CreateStmt, site: Site) -> None:
        ref = Ref.of(node.relation, site)
        table = Table((None, ref.name), site.location(node.relation), site,
                      temporary=node.relation.relpersistence == "t")
        parent = None
        if node.partbound is not None and node.inhRelations:
            parent = Ref.of(node.inhRelations[0], site)
            if node.partbound.lowerdatums:
                table.bound_from = tuple(_const_text(d) for d in node.partbound.lowerdatums)
        if node.partspec is not None:
            strategy = node.partspec.strategy
            table.partition_strategy = {"r": "range", "l": "list", "h": "hash"}.get(
                getattr(strategy, "value", strategy), str(strategy))
            table.partition_key = tuple(p.name for p in node.partspec.partParams or ())
        for element in node.tableElts or ():
            if isinstance(element, ast.ColumnDef):
                self._column(ref, element, site)
        self._pending_tables.append((ref, table, node, parent))

    def _column(self, ref: Ref, node: ast.ColumnDef, site: Site) -> None:
        type_names = _names(node.typeName.names) if node.typeName is not None else ()
        not_null = any(c.contype in (ConstrType.CONSTR_NOTNULL, ConstrType.CONSTR_PRIMARY)
                       for c in node.constraints or ())
        self._columns.append((ref, Column(node.colname, type_names, not_null, site.location(node))))

    def visit_AlterTableCmd(self, node: ast.AlterTableCmd, site: Site) -> None:
        stmt = site.nearest(ast.AlterTableStmt)
        if not isinstance(stmt, ast.AlterTableStmt) or stmt.relation is None:
            return
        ref = Ref.of(stmt.relation, site)
        if node.subtype == AlterTableType.AT_AddColumn and isinstance(node.def_, ast.ColumnDef):
            self._column(ref, node.def_, site)
        elif node.subtype == AlterTableType.AT_SetNotNull and node.name:
            self._not_null.append((ref, node.name))

    def visit_Constraint(self, node: ast.Constraint, site: Site) -> None:
        owner = site.parents[-1] if site.parents else None
        column = owner.colname if isinstance(owner, ast.ColumnDef) else None
        holder = site.nearest(ast.CreateStmt) or site.nearest(ast.AlterTableStmt)
        if not isinstance(holder, (ast.CreateStmt, ast.AlterTableStmt)) or holder.relation is None:
            return
        ref = Ref.of(holder.relation, site)
        if node.contype in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE):
            keys = _names(node.keys) or ((column,) if column else ())
            if keys:
                self._keys.append((ref, keys, node.contype == ConstrType.CONSTR_PRIMARY))
        elif node.contype == ConstrType.CONSTR_FOREIGN and node.pktable is not None:
            columns = _names(node.fk_attrs) or ((column,) if column else ())
            self.foreign_keys.append(ForeignKey(ref, columns, Ref.of(node.pktable, site),
                                                _names(node.pk_attrs), site.location(node), site))

    def visit_IndexStmt(self, node: ast.IndexStmt, site: Site) -> None:
        if node.relation is None:
            return
        leading: list[str] = []  # the plain columns an index starts with (an expression ends them)
        for param in node.indexParams or ():
            if not isinstance(param, ast.IndexElem) or not param.name:
                break
            leading.append(param.name)
        if leading:
            self._keys.append((Ref.of(node.relation, site), tuple(leading), False))

    def visit_CommentStmt(self, node: ast.CommentStmt, site: Site) -> None:
        if node.objtype != ObjectType.OBJECT_COLUMN or not isinstance(node.object, tuple):
            return
        names = _names(node.object)
        if len(names) < 2:
            return
        st = site.statement
        ref = Ref(names[-3] if len(names) >= 3 else None, names[-2], st.search_path, st.default_path)
        self._comments.append((ref, names[-1], node.comment or "", site.location()))

    # -- after the walk ----------------------------------------------------------------------

    def resolve(self, ref: Ref) -> QName:
        if ref.schema is not None:
            return (ref.schema, ref.name)
        for schema in ref.search_path:
            if (schema, ref.name) in self.tables:
                return (schema, ref.name)
        return (ref.creation_schema, ref.name)

    def finish(self) -> None:
        for ref, table, _node, _parent in self._pending_tables:
            table.name = (ref.creation_schema, ref.name)
            self.tables.setdefault(table.name, table)
        for _ref, table, _node, parent in self._pending_tables:
            if parent is not None:
                table.partition_of = self.resolve(parent)
        for ref, column in self._columns:
            found = self.tables.get(self.resolve(ref))
            if found is not None:
                found.columns.setdefault(column.name, column)
        for ref, keys, primary in self._keys:
            found = self.tables.get(self.resolve(ref))
            if found is None:
                continue
            found.keys.append(keys)
            if primary:
                found.primary_key = keys
                for name in keys:
                    if name in found.columns:
                        found.columns[name].not_null = True
        for ref, name in self._not_null:
            found = self.tables.get(self.resolve(ref))
            if found is not None and name in found.columns:
                found.columns[name].not_null = True
        for fk in self.foreign_keys:
            fk.table = self.resolve(fk.table_ref)
            fk.target = self.resolve(fk.target_ref)
        for ref, column, text, location in self._comments:
            schema, table_name = self.resolve(ref)
            self.column_comments[(schema, table_name, column)] = (text, location)

    def tables_in(self, schema: str) -> list[Table]:
        return [t for t in self.tables.values() if t.name[0] == schema]

    def partitions_of(self, name: QName) -> list[Table]:
        return [t for t in self.tables.values() if t.partition_of == name]
