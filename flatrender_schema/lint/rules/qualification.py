"""SC1xx: every object schema-qualified, in its own service's schema, none in public."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType, ObjectType

from flatrender_schema.lint.catalog import SYSTEM_SCHEMAS, Ref
from flatrender_schema.lint.finding import Severity
from flatrender_schema.lint.registry import rule
from flatrender_schema.lint.walk import Check, Site

# (statement class, attribute holding the object's RangeVar or name tuple, what it is)
_OBJECTS: dict[type[ast.Node], tuple[str, str]] = {
    ast.CreateStmt: ("relation", "table"),
    ast.ViewStmt: ("view", "view"),
    ast.CreateSeqStmt: ("sequence", "sequence"),
    ast.AlterSeqStmt: ("sequence", "sequence"),
    ast.CompositeTypeStmt: ("typevar", "type"),
    ast.CreateEnumStmt: ("typeName", "type"),
    ast.CreateDomainStmt: ("domainname", "domain"),
    ast.CreateFunctionStmt: ("funcname", "function"),
    ast.DefineStmt: ("defnames", "object"),
    ast.IndexStmt: ("relation", "index's table"),
    ast.AlterTableStmt: ("relation", "table"),
    ast.CreateTrigStmt: ("relation", "trigger's table"),
    ast.CreatePolicyStmt: ("table", "policy's table"),
}
_COMMENT_PARTS = {ObjectType.OBJECT_COLUMN: 3, ObjectType.OBJECT_TABLE: 2, ObjectType.OBJECT_VIEW: 2,
                  ObjectType.OBJECT_SEQUENCE: 2, ObjectType.OBJECT_TYPE: 2, ObjectType.OBJECT_INDEX: 2}


def _names(value: Any) -> tuple[str, ...]:
    return tuple(n.sval for n in value or () if isinstance(n, ast.String))


def objects(node: ast.Node, site: Site) -> Iterator[tuple[str | None, str, int, str]]:
    """The objects a statement creates or changes: (schema as written, name, offset, what)."""
    start = site.statement.start
    if isinstance(node, ast.CreateTableAsStmt) and node.into is not None and node.into.rel is not None:
        rv = node.into.rel
        yield rv.schemaname, rv.relname, rv.location, "table"
        return
    if isinstance(node, ast.CommentStmt):
        parts = _COMMENT_PARTS.get(node.objtype)
        names = _names(node.object) if isinstance(node.object, tuple) else ()
        if parts and names:
            qualified = len(names) >= parts
            name = ".".join(names[1 if qualified else 0 :])
            yield (names[0] if qualified else None), name, start, "comment's object"
        return
    spec = _OBJECTS.get(type(node))
    if spec is None:
        return
    value = getattr(node, spec[0], None)
    if isinstance(value, ast.RangeVar):
        if value.relpersistence != "t":
            yield value.schemaname, value.relname, value.location, spec[1]
    elif isinstance(value, tuple):
        names = _names(value)
        if names:
            yield (names[-2] if len(names) >= 2 else None), names[-1], start, spec[1]


class _ObjectCheck(Check):
    def check_object(self, schema: str | None, name: str, offset: int, what: str, site: Site) -> None:
        raise NotImplementedError

    def _visit(self, node: ast.Node, site: Site) -> None:
        for schema, name, offset, what in objects(node, site):
            self.check_object(schema, name, offset, what, site)

    visit_CreateStmt = visit_ViewStmt = visit_CreateSeqStmt = visit_AlterSeqStmt = _visit
    visit_CompositeTypeStmt = visit_CreateEnumStmt = visit_CreateDomainStmt = _visit
    visit_CreateFunctionStmt = visit_DefineStmt = visit_IndexStmt = visit_AlterTableStmt = _visit
    visit_CreateTrigStmt = visit_CreatePolicyStmt = visit_CreateTableAsStmt = visit_CommentStmt = _visit


def _cte_names(site: Site) -> set[str]:
    names: set[str] = set()
    for parent in site.parents:
        with_clause = getattr(parent, "withClause", None)
        if isinstance(with_clause, ast.WithClause):
            names.update(c.ctename for c in with_clause.ctes or () if isinstance(c, ast.CommonTableExpr))
    return names


@rule("SC101", "schema-qualified", Severity.ERROR,
      "write every object and table reference schema-qualified (schema.name), whatever the search_path",
      needs_manifest=False)
class SchemaQualified(Check):
    """Every object a statement creates or changes, and every table it references (foreign key
    targets, partition parents, views' tables), is written `schema.name`. An unqualified name
    depends on the search_path of whoever runs the SQL; it is how objects land in `public`."""

    def visit_RangeVar(self, node: ast.RangeVar, site: Site) -> None:
        if node.schemaname or node.relpersistence == "t" or node.relname in _cte_names(site):
            return
        self._report(node.relname, node.location, "table", site)

    def _report(self, name: str, offset: int, what: str, site: Site) -> None:
        schema = site.file.service.schema if site.file.service is not None else "schema"
        self.report(site.file.location(offset if offset >= 0 else site.statement.start),
                    f"{what} {name} is not schema-qualified; write {schema}.{name}")

    def _visit(self, node: ast.Node, site: Site) -> None:
        for schema, name, offset, what in objects(node, site):
            if schema is None:  # only statements naming objects without a RangeVar come here
                self._report(name, offset, what, site)

    visit_CreateEnumStmt = visit_CreateDomainStmt = visit_CreateFunctionStmt = _visit
    visit_DefineStmt = visit_CommentStmt = _visit


def _resolved(schema: str | None, site: Site) -> str | None:
    """The schema an object lands in; None when only SC101 applies (unqualified, default path)."""
    if schema is not None:
        return schema
    if site.statement.default_path:
        return None
    st = site.statement
    return Ref(None, "", st.search_path, False).creation_schema


@rule("SC102", "own-schema", Severity.ERROR,
      "a service defines objects only in its own schema; move the object to its service's directory")
class OwnSchema(_ObjectCheck):
    """Each service's SQL files create and change objects in that service's schema only (the one its
    service.yaml names). An object for another service belongs in that service's directory; an
    object in an unmanaged schema belongs nowhere."""

    def check_object(self, schema: str | None, name: str, offset: int, what: str, site: Site) -> None:
        service = site.file.service
        resolved = _resolved(schema, site)
        if service is None or resolved is None or resolved == "public" or resolved == service.schema:
            return
        if resolved in SYSTEM_SCHEMAS:
            return
        owner = self.source.service_for_schema(resolved)
        where = f"belongs in {owner.name}/" if owner else "is not a service schema"
        self.report(site.file.location(offset if offset >= 0 else site.statement.start),
                    f"{what} {resolved}.{name} is outside {service.schema}, the schema of service "
                    f"{service.name}; schema {resolved} {where}")


@rule("SC103", "no-public", Severity.ERROR,
      "no object in schema public; create it in the service's own schema", needs_manifest=False)
class NoPublic(_ObjectCheck):
    """Nothing is created in `public` (written `public.x`, or unqualified under a search_path that
    starts with public). Extensions' objects (citext) live there, managed by the tool; the
    services' objects never do."""

    def check_object(self, schema: str | None, name: str, offset: int, what: str, site: Site) -> None:
        if _resolved(schema, site) != "public":
            return
        target = site.file.service.schema if site.file.service is not None else "the service's schema"
        self.report(site.file.location(offset if offset >= 0 else site.statement.start),
                    f"{what} public.{name} is in schema public; create it in {target}")


_TOOL_MANAGED: dict[type[ast.Node], str] = {
    ast.CreateSchemaStmt: "CREATE SCHEMA",
    ast.CreateExtensionStmt: "CREATE EXTENSION",
    ast.CreateRoleStmt: "CREATE ROLE",
    ast.AlterRoleStmt: "ALTER ROLE",
    ast.DropRoleStmt: "DROP ROLE",
    ast.AlterOwnerStmt: "ALTER ... OWNER TO",
}


@rule("SC104", "tool-managed-statement", Severity.ERROR,
      "schemas, extensions, roles and owners come from the manifests; remove the statement from the SQL")
class ToolManagedStatement(Check):
    """`CREATE SCHEMA`, `CREATE EXTENSION`, role statements and `OWNER TO` in a service's SQL. The
    tool derives all of them from schema.yaml and service.yaml (docs/manifests.md); written in SQL
    they would fight the manifests."""

    def _visit(self, node: ast.Node, site: Site) -> None:
        if not site.parents:
            self.report(site.location(), f"{_TOOL_MANAGED[type(node)]} is derived from the manifests by the "
                        "tool; remove it from the SQL")

    visit_CreateSchemaStmt = visit_CreateExtensionStmt = visit_CreateRoleStmt = _visit
    visit_AlterRoleStmt = visit_DropRoleStmt = visit_AlterOwnerStmt = _visit

    def visit_AlterTableCmd(self, node: ast.AlterTableCmd, site: Site) -> None:
        if node.subtype == AlterTableType.AT_ChangeOwner:
            self.report(site.location(), "ALTER ... OWNER TO is derived from the manifests by the tool; "
                        "remove it from the SQL")
