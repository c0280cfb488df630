"""GR1xx: privileges — nothing for PUBLIC, cross-schema reads only where a manifest declares them."""

from __future__ import annotations

from pglast import ast
from pglast.enums import GrantTargetType, ObjectType, RoleSpecType

from flatrender_schema.lint.catalog import Ref
from flatrender_schema.lint.finding import Severity
from flatrender_schema.lint.registry import rule
from flatrender_schema.lint.walk import Check, Site


@rule("GR101", "no-grant-to-public", Severity.ERROR,
      "never GRANT to PUBLIC; grant to the service role that needs it (declared in service.yaml)",
      needs_manifest=False)
class NoGrantToPublic(Check):
    """`GRANT … TO PUBLIC`, including `ALTER DEFAULT PRIVILEGES … GRANT … TO PUBLIC`. Each service
    reaches the database through its own role; PUBLIC is every role, present and future."""

    def visit_GrantStmt(self, node: ast.GrantStmt, site: Site) -> None:
        if not node.is_grant:
            return
        for grantee in node.grantees or ():
            if isinstance(grantee, ast.RoleSpec) and grantee.roletype == RoleSpecType.ROLESPEC_PUBLIC:
                self.report(site.location(grantee), "GRANT to PUBLIC; grant to a service role instead")


def _privileges(node: ast.GrantStmt) -> set[str]:
    if not node.privileges:
        return {"all"}
    return {(p.priv_name or "all").lower() for p in node.privileges if isinstance(p, ast.AccessPriv)}


@rule("GR102", "undeclared-cross-schema-grant", Severity.ERROR,
      "grant a service's objects to another role only as a SELECT that role's manifest declares under reads")
class UndeclaredCrossSchemaGrant(Check):
    """A GRANT on one service's schema or tables to any role but that service's own role and the
    owner: allowed only as `SELECT` on a table (and `USAGE` on its schema) that the grantee service's
    manifest lists under `reads` (FlatRender: notification_svc reads identity.users and
    identity.subscriptions). Grants are normally derived from the manifests; this catches the ones
    written by hand."""

    def visit_GrantStmt(self, node: ast.GrantStmt, site: Site) -> None:
        if not node.is_grant:
            return
        if node.targtype == GrantTargetType.ACL_TARGET_OBJECT and node.objtype == ObjectType.OBJECT_TABLE:
            targets = []
            for obj in node.objects or ():
                if isinstance(obj, ast.RangeVar):
                    ref = Ref.of(obj, site)
                    targets.append((ref.creation_schema, obj.relname))
        elif node.objtype == ObjectType.OBJECT_SCHEMA and node.targtype == GrantTargetType.ACL_TARGET_OBJECT:
            targets = [(obj.sval, None) for obj in node.objects or () if isinstance(obj, ast.String)]
        else:
            targets = self._schemas_of_bulk(node, site)
        privileges = _privileges(node)
        owner = self.source.project.owner if self.source.project is not None else None
        for grantee in node.grantees or ():
            if not isinstance(grantee, ast.RoleSpec) or grantee.roletype != RoleSpecType.ROLESPEC_CSTRING:
                continue
            role = grantee.rolename or ""
            reader = self.source.service_for_role(role)
            for schema, table in targets:
                owner_service = self.source.service_for_schema(schema)
                if owner_service is None or role in (owner_service.manifest.role, owner):
                    continue
                reads = reader.manifest.reads if reader is not None else ()
                if table is None:  # USAGE on a schema the reader reads a table of
                    ok = privileges <= {"usage"} and any(r.split(".")[0] == schema for r in reads)
                    what = f"schema {schema}"
                elif table == "*":
                    ok, what = False, f"all tables in schema {schema}"
                else:
                    ok = privileges <= {"select"} and f"{schema}.{table}" in reads
                    what = f"{schema}.{table}"
                if not ok:
                    self.report(site.location(grantee),
                                f"GRANT {', '.join(sorted(privileges)).upper()} on {what} to {role}, which "
                                "no manifest declares; declare a read (SELECT only) under reads in the "
                                "reading service's service.yaml")

    def _schemas_of_bulk(self, node: ast.GrantStmt, site: Site) -> list[tuple[str | None, str | None]]:
        """ALL TABLES IN SCHEMA s, and ALTER DEFAULT PRIVILEGES IN SCHEMA s: every table of s."""
        if node.targtype == GrantTargetType.ACL_TARGET_ALL_IN_SCHEMA:
            return [(o.sval, "*") for o in node.objects or () if isinstance(o, ast.String)]
        holder = site.nearest(ast.AlterDefaultPrivilegesStmt)
        if isinstance(holder, ast.AlterDefaultPrivilegesStmt):
            for option in holder.options or ():
                if isinstance(option, ast.DefElem) and option.defname == "schemas":
                    arg = option.arg if isinstance(option.arg, tuple) else (option.arg,)
                    return [(o.sval, "*") for o in arg if isinstance(o, ast.String)]
        return []


@rule("GR103", "unknown-read", Severity.ERROR,
      "a reads entry in service.yaml names a table no SQL file creates; fix or remove it")
class UnknownRead(Check):
    """A declared cross-schema read of a table that does not exist in the desired state (checked when
    the owning service is part of the schema directory)."""

    def finish(self) -> None:
        for service in self.source.services:
            for index, table in enumerate(service.manifest.reads):
                schema, name = table.split(".")
                if self.source.service_for_schema(schema) is None:
                    self.report(service.manifest_location("reads", index),
                                f"reads names {table}, but no service owns schema {schema}")
                elif (schema, name) not in self.catalog.tables:
                    self.report(service.manifest_location("reads", index),
                                f"reads names {table}, which no SQL file creates")
                elif schema == service.schema:
                    self.report(service.manifest_location("reads", index),
                                f"reads names {table}, a table of the service's own schema; remove it")
