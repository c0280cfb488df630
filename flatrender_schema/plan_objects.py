"""What object a planned statement acts on, read from its parse tree: its kind, its name, and the block
it belongs to in a grouped plan (a column, index, constraint or comment belongs to its table; a
partition to its parent; a grant to the object granted on; default privileges to their schema).

`hazards.assess` labels each step with `name`; `plan_groups` groups steps by `block`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pglast import ast, enums

ObjectType = enums.ObjectType

# Kinds as a reviewer says them; the rest are ObjectType's own names, lower-cased.
_KINDS = {
    ObjectType.OBJECT_TABLE: "table",
    ObjectType.OBJECT_FOREIGN_TABLE: "table",
    ObjectType.OBJECT_MATVIEW: "materialized view",
    ObjectType.OBJECT_FUNCTION: "function",
    ObjectType.OBJECT_PROCEDURE: "function",
    ObjectType.OBJECT_ROUTINE: "function",
    ObjectType.OBJECT_AGGREGATE: "function",
    ObjectType.OBJECT_DOMAIN: "type",
    ObjectType.OBJECT_TYPE: "type",
    ObjectType.OBJECT_TABCONSTRAINT: "constraint",
    ObjectType.OBJECT_DOMCONSTRAINT: "constraint",
}
# Kinds that live inside a table: their name is schema.table.name (or schema.index) and the block the table's.
_ON_TABLE = frozenset({"column", "constraint", "trigger", "policy", "rule", "index"})
_SERIAL = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})


@dataclass(frozen=True)
class StatementObject:
    kind: str  # table, column, index, schema, role, function, type, sequence, default privileges ...
    name: str  # schema-qualified as written, unquoted: content.blog_posts.tenant_id
    block: str = ""  # the object it is grouped under ("" : itself)
    block_kind: str = ""
    detail: str = ""  # what the statement does to it, in a few words: "add constraint"
    subject: str = ""  # the part of the object it names, if any: "blog_posts_pkey"

    @property
    def label(self) -> str:
        return f"{self.detail} {self.subject}".strip()

    @property
    def block_name(self) -> str:
        return self.block or self.name

    @property
    def block_kind_or_kind(self) -> str:
        return self.block_kind or self.kind


def kind_of(objtype: ObjectType) -> str:
    return _KINDS.get(objtype) or objtype.name.removeprefix("OBJECT_").lower().replace("_", " ")


def relname(rv: ast.RangeVar | None) -> str:
    if rv is None:
        return ""
    return f"{rv.schemaname or 'public'}.{rv.relname}"


def name_of(node: object) -> str:
    """A name as SQL writes it, unquoted: `a.b`, `a.f(integer)`, `identity.users`."""
    if isinstance(node, str):
        return node
    if isinstance(node, ast.RangeVar):
        return relname(node)
    if isinstance(node, ast.String):
        return str(node.sval)
    if isinstance(node, ast.ResTarget):
        return str(node.name)
    if isinstance(node, ast.ObjectWithArgs):
        args = "" if node.args_unspecified else f"({', '.join(type_text(a) for a in node.objargs or ())})"
        return name_of(node.objname) + args
    if isinstance(node, ast.TypeName):
        return type_text(node)
    if isinstance(node, ast.RoleSpec):
        return str(node.rolename) if node.rolename else node.roletype.name.removeprefix("ROLESPEC_").lower()
    if isinstance(node, ast.AccessPriv):
        cols = f" ({', '.join(name_of(c) for c in node.cols)})" if node.cols else ""
        return f"{node.priv_name or 'all'}{cols}"
    if isinstance(node, tuple | list):
        return ".".join(name_of(p) for p in node)
    return ""


def type_text(node: ast.TypeName) -> str:
    names = [str(n.sval) for n in node.names or () if isinstance(n, ast.String)]
    if len(names) > 1 and names[0] == "pg_catalog":
        names = names[1:]
    return ".".join(names) + "[]" * len(node.arrayBounds or ())


def _words(enum_name: str, prefix: str) -> str:
    """AT_AddConstraint -> "add constraint"."""
    out = []
    for ch in enum_name.removeprefix(prefix):
        if ch.isupper() and out:
            out.append(" ")
        out.append(ch.lower())
    return "".join(out)


def _in_table(kind: str, name: str, table: str = "") -> StatementObject:
    """A column, constraint, trigger...: named schema.table.thing, grouped under schema.table."""
    if not table:
        table = ".".join(name.split(".")[:2]) if name.count(".") >= 2 else ""
    return StatementObject(kind, name, table, "table" if table else "")


def object_of(node: ast.Node) -> StatementObject:
    """The object `node` (one parsed statement) acts on."""
    if isinstance(node, ast.CreateStmt):
        name = relname(node.relation)
        if node.partbound is not None and node.inhRelations:
            return StatementObject("partition", name, relname(node.inhRelations[0]), "table", "create partition")
        return StatementObject("table", name, detail="create table")
    if isinstance(node, ast.IndexStmt):
        schema = (node.relation.schemaname if node.relation else None) or "public"
        name = f"{schema}.{node.idxname}" if node.idxname else relname(node.relation)
        return StatementObject("index", name, relname(node.relation), "table", "create index")
    if isinstance(node, ast.AlterTableStmt):
        kind = kind_of(node.objtype)
        cmds = [_alter_cmd(c) for c in node.cmds or ()]
        if len(cmds) == 1:
            return StatementObject(kind, relname(node.relation), detail=cmds[0][0], subject=cmds[0][1])
        detail = ", ".join(f"{w} {t}".strip() for w, t in cmds[:3]) + (f" and {len(cmds) - 3} more" if len(cmds) > 3
                                                                       else "")
        return StatementObject(kind, relname(node.relation), detail=detail)
    if isinstance(node, ast.ViewStmt):
        return StatementObject("view", relname(node.view), detail="create view")
    if isinstance(node, ast.CreateTableAsStmt):
        rel = node.into.rel if node.into else None
        return StatementObject(kind_of(node.objtype), relname(rel), detail=f"create {kind_of(node.objtype)}")
    if isinstance(node, ast.CreateSeqStmt | ast.AlterSeqStmt):
        owner = _owned_by(node.options)
        verb = "create sequence" if isinstance(node, ast.CreateSeqStmt) else "alter sequence"
        return StatementObject("sequence", relname(node.sequence), owner, "table" if owner else "", verb)
    if isinstance(node, ast.CreateSchemaStmt):
        return StatementObject("schema", str(node.schemaname), detail="create schema")
    if isinstance(node, ast.CreateRoleStmt | ast.AlterRoleStmt | ast.DropRoleStmt):
        roles = [name_of(r) for r in node.roles] if isinstance(node, ast.DropRoleStmt) else []
        name = ", ".join(roles) if roles else name_of(getattr(node, "role", None))
        verb = {"CreateRoleStmt": "create role", "AlterRoleStmt": "alter role"}.get(type(node).__name__, "drop role")
        return StatementObject("role", name, detail=verb)
    if isinstance(node, ast.GrantRoleStmt):
        granted = ", ".join(name_of(r) for r in node.granted_roles or ())
        to = ", ".join(name_of(r) for r in node.grantee_roles or ())
        verb = "grant" if node.is_grant else "revoke"
        return StatementObject("role", granted, detail=f"{verb} membership {'to' if node.is_grant else 'from'} {to}")
    if isinstance(node, ast.CreateExtensionStmt | ast.AlterExtensionStmt):
        return StatementObject("extension", str(node.extname), detail="create extension")
    if isinstance(node, ast.CreateFunctionStmt):
        args = ", ".join(type_text(p.argType) for p in node.parameters or ()
                         if p.argType is not None and p.mode in (enums.FunctionParameterMode.FUNC_PARAM_IN,
                                                                 enums.FunctionParameterMode.FUNC_PARAM_DEFAULT,
                                                                 enums.FunctionParameterMode.FUNC_PARAM_INOUT,
                                                                 enums.FunctionParameterMode.FUNC_PARAM_VARIADIC))
        kind = "procedure" if node.is_procedure else "function"
        return StatementObject("function", f"{name_of(node.funcname)}({args})", detail=f"create {kind}")
    if isinstance(node, ast.CreateTrigStmt):
        table = relname(node.relation)
        return _with(_in_table("trigger", f"{table}.{node.trigname}", table), "create trigger")
    if isinstance(node, ast.CreatePolicyStmt | ast.AlterPolicyStmt):
        table = relname(node.table)
        verb = "create policy" if isinstance(node, ast.CreatePolicyStmt) else "alter policy"
        return _with(_in_table("policy", f"{table}.{node.policy_name}", table), verb)
    if isinstance(node, ast.RuleStmt):
        table = relname(node.relation)
        return _with(_in_table("rule", f"{table}.{node.rulename}", table), "create rule")
    if isinstance(node, ast.CompositeTypeStmt):
        return StatementObject("type", relname(node.typevar), detail="create type")
    if isinstance(node, ast.CreateEnumStmt | ast.AlterEnumStmt):
        verb = "create type" if isinstance(node, ast.CreateEnumStmt) else "alter type"
        return StatementObject("type", name_of(node.typeName), detail=verb)
    if isinstance(node, ast.CreateDomainStmt | ast.AlterDomainStmt):
        name = name_of(node.domainname if isinstance(node, ast.CreateDomainStmt) else node.typeName)
        return StatementObject("type", name, detail="create domain" if isinstance(node, ast.CreateDomainStmt)
                               else "alter domain")
    if isinstance(node, ast.CommentStmt):
        target = _object_with_type(node.objtype, node.object)
        return _with(target, f"comment on {target.kind}")
    if isinstance(node, ast.GrantStmt):
        return _grant(node)
    if isinstance(node, ast.AlterDefaultPrivilegesStmt):
        return _default_privileges(node)
    if isinstance(node, ast.AlterOwnerStmt):
        target = _object_with_type(node.objectType, node.relation or node.object)
        return _with(target, f"owner to {name_of(node.newowner)}")
    if isinstance(node, ast.DropStmt):
        first = (node.objects or ((),))[0]
        target = _object_with_type(node.removeType, first)
        more = f" (and {len(node.objects) - 1} more)" if len(node.objects or ()) > 1 else ""
        return _with(target, f"drop {target.kind}{more}")
    if isinstance(node, ast.RenameStmt):
        target = _object_with_type(node.renameType, node.relation or node.object)
        if node.renameType == ObjectType.OBJECT_COLUMN and node.relation is not None:
            target = _in_table("column", f"{relname(node.relation)}.{node.subname}")
        return _with(target, f"rename to {node.newname}")
    if isinstance(node, ast.AlterObjectSchemaStmt):
        target = _object_with_type(node.objectType, node.relation or node.object)
        return _with(target, f"set schema {node.newschema}")
    if isinstance(node, ast.InsertStmt):
        return StatementObject("table", relname(node.relation), detail="insert reference rows")
    return StatementObject("statement", "", detail=_words(type(node).__name__.removesuffix("Stmt"), ""))


def _with(obj: StatementObject, detail: str) -> StatementObject:
    return StatementObject(obj.kind, obj.name, obj.block, obj.block_kind, detail, obj.subject)


def _object_with_type(objtype: ObjectType, obj: object) -> StatementObject:
    kind = kind_of(objtype)
    name = name_of(obj)
    if kind == "constraint" and objtype == ObjectType.OBJECT_DOMCONSTRAINT and isinstance(obj, tuple):
        # COMMENT ON CONSTRAINT c ON DOMAIN d: (TypeName, String)
        return StatementObject("constraint", name, name_of(obj[0]), "type")
    if kind in _ON_TABLE and kind != "index":
        return _in_table(kind, name)
    return StatementObject(kind, name)


def _alter_cmd(cmd: ast.Node) -> tuple[str, str]:
    if not isinstance(cmd, ast.AlterTableCmd):
        return "alter", ""
    words = _words(cmd.subtype.name, "AT_")
    target = cmd.name or (cmd.def_.conname if isinstance(cmd.def_, ast.Constraint) and cmd.def_.conname else None)
    if isinstance(cmd.def_, ast.ColumnDef) and cmd.def_.colname and not target:
        target = cmd.def_.colname
    if cmd.subtype == enums.AlterTableType.AT_ChangeOwner and cmd.newowner is not None:
        return f"owner to {name_of(cmd.newowner)}", ""
    return words, target or ""


def _owned_by(options: tuple[ast.Node, ...] | None) -> str:
    for opt in options or ():
        if isinstance(opt, ast.DefElem) and opt.defname == "owned_by" and isinstance(opt.arg, tuple):
            parts = [name_of(p) for p in opt.arg]
            if len(parts) >= 2 and parts[-1] != "none":
                return ".".join(parts[:-1]) if len(parts) > 2 else f"public.{parts[0]}"
    return ""


def privileges_text(node: ast.GrantStmt) -> str:
    privs = [name_of(p) for p in node.privileges or ()]
    return ", ".join(privs) if privs else "all"


def grantees_text(node: ast.GrantStmt) -> str:
    return ", ".join(name_of(g) for g in node.grantees or ())


def _grant(node: ast.GrantStmt) -> StatementObject:
    verb = "grant" if node.is_grant else "revoke"
    detail = f"{verb} {privileges_text(node)} {'to' if node.is_grant else 'from'} {grantees_text(node)}"
    if node.targtype == enums.GrantTargetType.ACL_TARGET_ALL_IN_SCHEMA:
        schemas = ", ".join(name_of(o) for o in node.objects or ())
        return StatementObject("schema", schemas, detail=f"{detail} on all {kind_of(node.objtype)}s")
    objects = node.objects or ()
    target = _object_with_type(node.objtype, objects[0]) if objects else StatementObject("statement", "")
    more = f" (and {len(objects) - 1} more)" if len(objects) > 1 else ""
    return _with(target, detail + more)


def _default_privileges(node: ast.AlterDefaultPrivilegesStmt) -> StatementObject:
    """Default privileges belong to the schema they are set in (or, database-wide, to the creating role)."""
    schemas: list[str] = []
    roles: list[str] = []
    for opt in node.options or ():
        if isinstance(opt, ast.DefElem) and isinstance(opt.arg, tuple):
            (schemas if opt.defname == "schemas" else roles).extend(name_of(a) for a in opt.arg)
    grant = node.action
    verb = "grant" if grant.is_grant else "revoke"
    on = kind_of(grant.objtype) + "s"
    detail = (f"{verb} {privileges_text(grant)} on {on} {'to' if grant.is_grant else 'from'} {grantees_text(grant)}"
              + (f" (objects {roles[0]} creates)" if roles else ""))
    if schemas:
        return StatementObject("default privileges", ", ".join(schemas), ", ".join(schemas), "schema", detail)
    return StatementObject("default privileges", ", ".join(roles), ", ".join(roles), "role", detail)
