"""What a plan's statements drop, and what depends on it in live's `pg_depend`.

Two uses, both from the catalog of the copy of live before any statement runs on it:

- `bring_in`: a statement that drops and recreates an object (a function whose return type or
  parameter names change, an enum the engine recreates under the old name's `__old_version_to_be_dropped`)
  cannot run while other objects depend on it. Its dependents the plan leaves alone (a CHECK, a
  foreign key, a column default, an index, a domain CHECK, a view and the views over it) are dropped
  first and created again last, as the shadow has them.
- `drop_order`: statements dropping objects (DROP ..., ALTER TABLE ... DROP COLUMN/CONSTRAINT) go
  dependents first: each one waits for the drops of what depends on what it drops (live's
  `pg_depend`, in reverse). The parse trees cannot tell: a DROP names only the object it drops.

pg-schema-diff builds a graph of every statement (pkg/diff/sql_graph.go); this tool keeps the
engine's statements and adds only what they miss, so only the drops and their dependents are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from pglast import ast, enums
from pglast.stream import RawStream
from psycopg import sql

from flatrender_schema.catalog import Snapshot
from flatrender_schema.step import Step

# The engine recreates an enum that loses or reorders labels: the old one is renamed to this suffix.
_OLD_VERSION = "__old_version_to_be_dropped"
_RELATIONS = {
    enums.ObjectType.OBJECT_TABLE, enums.ObjectType.OBJECT_VIEW, enums.ObjectType.OBJECT_MATVIEW,
    enums.ObjectType.OBJECT_INDEX, enums.ObjectType.OBJECT_SEQUENCE, enums.ObjectType.OBJECT_FOREIGN_TABLE,
}
_ROUTINES = {
    enums.ObjectType.OBJECT_FUNCTION, enums.ObjectType.OBJECT_PROCEDURE, enums.ObjectType.OBJECT_ROUTINE,
    enums.ObjectType.OBJECT_AGGREGATE,  # a routine too: a view calling it is dropped first
}
_TYPES = {enums.ObjectType.OBJECT_TYPE, enums.ObjectType.OBJECT_DOMAIN}


@dataclass(frozen=True)
class Dropped:
    """An object a statement drops (or renames away to recreate it): how PostgreSQL resolves it."""

    kind: str  # "routine", "relation", "type", "constraint" (name is `table`, detail the constraint)
    name: str  # SQL text: regprocedure, regclass or regtype input
    detail: str = ""
    recreated: bool = False  # dropped to be created again (its dependents must come back)


def dropped_by(step: Step) -> list[Dropped]:
    """The objects `step` drops, read from its parse tree."""
    out: list[Dropped] = []
    for node in step.trees:
        if isinstance(node, ast.DropStmt):
            out += _from_drop(node)
        elif isinstance(node, ast.AlterTableStmt) and node.relation is not None:
            table = _relation(node.relation)
            for cmd in node.cmds or ():
                if cmd.subtype == enums.AlterTableType.AT_DropConstraint:
                    out.append(Dropped("constraint", table, cmd.name))
                elif cmd.subtype == enums.AlterTableType.AT_DropColumn:
                    out.append(Dropped("relation", table, cmd.name))
        elif (
            isinstance(node, ast.RenameStmt) and node.renameType == enums.ObjectType.OBJECT_TYPE
            and str(node.newname).endswith(_OLD_VERSION)
        ):
            out.append(Dropped("type", _dotted(node.object), recreated=True))
    return out


def _from_drop(node: ast.DropStmt) -> list[Dropped]:
    out: list[Dropped] = []
    for obj in node.objects or ():
        if node.removeType in _ROUTINES and isinstance(obj, ast.ObjectWithArgs):
            args = ", ".join(RawStream()(a) for a in obj.objargs or ())
            out.append(Dropped("routine", f"{_dotted(obj.objname)}({args})"))
        elif node.removeType in _RELATIONS:
            out.append(Dropped("relation", _dotted(obj)))
        elif node.removeType in _TYPES:
            out.append(Dropped("type", _dotted(obj.names if isinstance(obj, ast.TypeName) else obj)))
    return out


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _dotted(names: Any) -> str:
    return ".".join(_quoted(n.sval) for n in names)


def _relation(rel: ast.RangeVar) -> str:
    return ".".join(_quoted(p) for p in (rel.schemaname, rel.relname) if p)


# The objects depending on one object, each named as the object a statement would drop: a view's rule
# is its view, a default or a trigger its table; a constraint or an index is also its table (a DROP
# TABLE drops them too). Views and domains are followed further: a view over a view, a domain over one.
_DEPENDENTS = """
with recursive dep(classid, objid, depth) as (
    select %(classid)s::oid, %(objid)s::oid, 0
  union
    select n.classid, n.objid, dep.depth + 1
    from dep join pg_depend d on d.refclassid = dep.classid and d.refobjid = dep.objid
    cross join lateral (values
        (case d.classid when 'pg_rewrite'::regclass then 'pg_class'::regclass::oid
                        when 'pg_attrdef'::regclass then 'pg_class'::regclass::oid
                        when 'pg_trigger'::regclass then 'pg_class'::regclass::oid else d.classid end,
         case d.classid when 'pg_rewrite'::regclass then (select ev_class from pg_rewrite where oid = d.objid)
                        when 'pg_attrdef'::regclass then (select adrelid from pg_attrdef where oid = d.objid)
                        when 'pg_trigger'::regclass then (select tgrelid from pg_trigger where oid = d.objid)
                        else d.objid end),
        (case when d.classid = 'pg_constraint'::regclass or (d.classid = 'pg_class'::regclass
                   and (select relkind from pg_class where oid = d.objid) = 'i')
              then 'pg_class'::regclass::oid end,
         case d.classid when 'pg_constraint'::regclass then (select conrelid from pg_constraint where oid = d.objid)
                        when 'pg_class'::regclass then (select indrelid from pg_index where indexrelid = d.objid) end)
    ) as n(classid, objid)
    where d.deptype in ('n', 'a') and n.objid is not null and n.objid <> 0
      and not (n.classid = dep.classid and n.objid = dep.objid) and dep.depth < 8
      and (dep.depth = 0 or dep.classid = 'pg_type'::regclass
           or (select relkind from pg_class where oid = dep.objid and dep.classid = 'pg_class'::regclass)
              in ('v', 'm'))
)
select distinct classid, objid from dep where depth > 0
"""

_RESOLVE = {
    "routine": "select 'pg_proc'::regclass::oid, to_regprocedure(%s)::oid",
    "relation": "select 'pg_class'::regclass::oid, to_regclass(%s)::oid",
    "type": "select 'pg_type'::regclass::oid, to_regtype(%s)::oid",
    "constraint": """select 'pg_constraint'::regclass::oid, (select oid from pg_constraint
                     where conrelid = to_regclass(%s) and conname = %s)""",
}


def _resolved(conn: psycopg.Connection, d: Dropped) -> tuple[int, int] | None:
    params = [d.name, d.detail] if d.kind == "constraint" else [d.name]
    try:
        row = conn.execute(_RESOLVE[d.kind], params).fetchone()
    except psycopg.Error:  # a name PostgreSQL cannot even parse: nothing to order by
        return None
    return (row[0], row[1]) if row and row[1] else None


def drop_order(conn: psycopg.Connection, statements: Sequence[Step]) -> dict[int, set[int]]:
    """For each statement dropping something, the statements it must wait for: those dropping an
    object that depends (in live's pg_depend, through views) on what it drops."""
    objects: dict[tuple[int, int], set[int]] = {}
    for i, statement in enumerate(statements):
        for d in dropped_by(statement):
            found = _resolved(conn, d)
            if found is not None:
                objects.setdefault(found, set()).add(i)
    after: dict[int, set[int]] = {}
    if len(objects) < 2:
        return after
    for (classid, objid), droppers in objects.items():
        for dep in conn.execute(_DEPENDENTS, {"classid": classid, "objid": objid}).fetchall():
            for first in objects.get((dep[0], dep[1]), ()):
                for i in droppers:
                    if i != first:
                        after.setdefault(i, set()).add(first)
    return after


# The dependents a dropped object takes with it, as (kind, schema, parent, name, depth, signature):
# constraints of tables and domains, column defaults (not generation expressions: those need the column
# itself), indexes that are not a constraint's, functions (one returning a view's rows), and views,
# followed to the views over them. A recreated type also takes the foreign keys over its columns: both
# ends must change type together.
_TAKEN = """
with recursive dep(classid, objid, root) as (
    select unnest(%(classids)s::oid[]), unnest(%(objids)s::oid[]), true
  union
    select case when d.classid = 'pg_rewrite'::regclass then 'pg_class'::regclass::oid else d.classid end,
           case when d.classid = 'pg_rewrite'::regclass then r.ev_class else d.objid end, false
    from dep join pg_depend d on d.refclassid = dep.classid and d.refobjid = dep.objid and d.deptype = 'n'
    left join pg_rewrite r on d.classid = 'pg_rewrite'::regclass and r.oid = d.objid
    where dep.root or (dep.classid = 'pg_class'::regclass
                       and (select relkind from pg_class where oid = dep.objid) in ('v', 'm'))
), taken as (select * from dep where not root)
select 'constraint', n.nspname, c.relname, k.conname, 0, null
  from taken join pg_constraint k on taken.classid = 'pg_constraint'::regclass and k.oid = taken.objid
  join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
 where k.contype in ('c', 'f')
union
select 'domain_constraint', n.nspname, t.typname, k.conname, 0, null
  from taken join pg_constraint k on taken.classid = 'pg_constraint'::regclass and k.oid = taken.objid
  join pg_type t on t.oid = k.contypid join pg_namespace n on n.oid = t.typnamespace
union
select 'default', n.nspname, c.relname, a.attname, 0, null
  from taken join pg_attrdef ad on taken.classid = 'pg_attrdef'::regclass and ad.oid = taken.objid
  join pg_attribute a on a.attrelid = ad.adrelid and a.attnum = ad.adnum and a.attgenerated = ''
  join pg_class c on c.oid = ad.adrelid join pg_namespace n on n.oid = c.relnamespace
union
select 'index', n.nspname, t.relname, i.relname, 0, null
  from taken join pg_class i on taken.classid = 'pg_class'::regclass and i.oid = taken.objid and i.relkind = 'i'
  join pg_index x on x.indexrelid = i.oid join pg_class t on t.oid = x.indrelid
  join pg_namespace n on n.oid = i.relnamespace
 where not exists (select 1 from pg_constraint k where k.conindid = i.oid and k.contype in ('p', 'u', 'x'))
union
select 'function', n.nspname, pg_get_function_identity_arguments(f.oid), f.proname, 0,
       f.oid::regprocedure::text
  from taken join pg_proc f on taken.classid = 'pg_proc'::regclass and f.oid = taken.objid
  join pg_namespace n on n.oid = f.pronamespace
 where f.prokind in ('f', 'p')
union
select 'view', n.nspname, null, v.relname,
       (select count(*) from pg_depend d join pg_rewrite r on r.oid = d.objid
         where d.classid = 'pg_rewrite'::regclass and r.ev_class = v.oid and d.refobjid <> v.oid
           and d.refclassid = 'pg_class'::regclass), null
  from taken join pg_class v on taken.classid = 'pg_class'::regclass and v.oid = taken.objid
  join pg_namespace n on n.oid = v.relnamespace
 where v.relkind in ('v', 'm')
union
select 'constraint', n.nspname, c.relname, k.conname, 0, null
  from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
 where k.contype = 'f' and exists (
       select 1 from pg_attribute a where a.atttypid = any(%(types)s::oid[])
          and ((a.attrelid = k.conrelid and a.attnum = any(k.conkey))
               or (a.attrelid = k.confrelid and a.attnum = any(k.confkey))))
"""

# What stands for a dropped object in pg_depend besides itself: a relation's row type (a function
# returning a view's rows depends on it), a key constraint's index (a foreign key depends on it).
_ALSO = {
    "relation": "select 'pg_type'::regclass::oid, reltype from pg_class where oid = %s and reltype <> 0",
    "constraint": "select 'pg_class'::regclass::oid, conindid from pg_constraint where oid = %s and conindid <> 0",
}


@dataclass(frozen=True)
class Taken:
    """A dependent brought into the plan: dropped first, created again last."""

    kind: str  # constraint, domain_constraint, default, index, function, view
    schema: str
    parent: str | None  # the table or domain; a function's identity arguments; None for a view
    name: str
    depth: int = 0  # for views: how many relations the view reads (a rough nesting order)
    signature: str | None = None  # a function's regprocedure


def bring_in(conn: psycopg.Connection, changes: list[Step], target: Snapshot) -> list[Step]:
    """`changes` with the dependents of what they drop (or rename away to recreate) dropped before
    them and created again after them, as `target` has them. Dependents the statements drop
    themselves, or that the target no longer has, are the statements' own."""
    statements = changes
    dropped = [d for s in statements for d in dropped_by(s)]
    if not dropped:
        return changes
    handled: set[tuple[int, int]] = set()
    roots: list[tuple[int, int]] = []
    types: list[int] = []
    for d in dropped:
        found = _resolved(conn, d)
        if found is None:
            continue
        handled.add(found)
        roots.append(found)
        if d.recreated:
            types.append(found[1])
        also = _ALSO.get(d.kind)
        if also is not None:
            roots += [(r[0], r[1]) for r in conn.execute(also, [found[1]]).fetchall()]
    if not roots:
        return changes
    rows = conn.execute(_TAKEN, {
        "classids": [r[0] for r in roots], "objids": [r[1] for r in roots], "types": types,
    }).fetchall()
    taken = {(r[0], r[1], r[2], r[3]): Taken(r[0], r[1], r[2], r[3], int(r[4]), r[5]) for r in rows}
    pairs = [(t, _recreate(t, target)) for t in taken.values() if not _is_handled(conn, t, handled)]
    pairs = [(t, again) for t, again in pairs if again is not None]  # gone from the target: the engine drops it
    if not pairs:
        return changes
    made = {key for s in statements for key in created_by(s)}
    order = {"constraint": 0, "domain_constraint": 0, "default": 0, "index": 0, "view": 1, "function": 2}
    in_order = sorted(pairs, key=lambda p: (order[p[0].kind], p[0].depth))
    drops = [Step.parse(_drop(t).as_string(conn) + ";", "dependents") for t, _ in reversed(in_order)]
    # What the statements create again themselves (a view they replace) only needs the drop.
    again = [Step.parse(a.as_string(conn) + ";", "dependents") for t, a in in_order if _made_key(t) not in made]
    return drops + changes + again


def _is_handled(conn: psycopg.Connection, t: Taken, handled: set[tuple[int, int]]) -> bool:
    """Whether a statement of the plan drops `t` itself (the engine recreates a changed view)."""
    if t.kind == "constraint":
        d = Dropped("constraint", f"{_quoted(t.schema)}.{_quoted(str(t.parent))}", t.name)
    elif t.kind in ("index", "view"):
        d = Dropped("relation", f"{_quoted(t.schema)}.{_quoted(t.name)}")
    elif t.kind == "function":
        d = Dropped("routine", str(t.signature))
    else:
        return False
    return _resolved(conn, d) in handled


def _drop(t: Taken) -> sql.Composable:
    if t.kind == "constraint":
        return sql.SQL("alter table {} drop constraint {}").format(
            sql.Identifier(t.schema, str(t.parent)), sql.Identifier(t.name))
    if t.kind == "domain_constraint":
        return sql.SQL("alter domain {} drop constraint {}").format(
            sql.Identifier(t.schema, str(t.parent)), sql.Identifier(t.name))
    if t.kind == "default":
        return sql.SQL("alter table {} alter column {} drop default").format(
            sql.Identifier(t.schema, str(t.parent)), sql.Identifier(t.name))
    if t.kind == "function":
        return sql.SQL("drop function {}").format(sql.SQL(str(t.signature)))
    keyword = "index" if t.kind == "index" else "view"
    return sql.SQL("drop {} {}").format(sql.SQL(keyword), sql.Identifier(t.schema, t.name))


def _row(target: Snapshot, area: str, **key: str | None) -> dict[str, Any] | None:
    for r in target.rows(area):
        if all(r.get(k) == v for k, v in key.items()):
            return r
    return None


def _recreate(t: Taken, target: Snapshot) -> sql.Composable | None:
    """The statement creating `t` as `target` has it; None if the target has no such object."""
    parent, name = sql.Identifier(t.schema, str(t.parent)), sql.Identifier(t.name)
    if t.kind in ("constraint", "domain_constraint"):
        area, owner, keyword = (
            ("constraints", "table", "table") if t.kind == "constraint" else ("domain_constraints", "domain", "domain"))
        r = _row(target, area, schema=t.schema, name=t.name, **{owner: t.parent})
        if r is None:
            return None
        return sql.SQL("alter {} {} add constraint {} {}").format(
            sql.SQL(keyword), parent, name, sql.SQL(r["definition"]))
    if t.kind == "default":
        r = _row(target, "columns", schema=t.schema, table=t.parent, name=t.name)
        if r is None or r.get("default") is None:
            return None
        return sql.SQL("alter table {} alter column {} set default {}").format(parent, name, sql.SQL(r["default"]))
    if t.kind == "index":
        r = _row(target, "indexes", schema=t.schema, name=t.name)
        return None if r is None else sql.SQL(r["definition"])
    if t.kind == "function":
        r = _row(target, "functions", schema=t.schema, name=t.name, args=t.parent)
        return None if r is None else sql.SQL(r["definition"].rstrip().rstrip(";"))
    r = _row(target, "relations", schema=t.schema, name=t.name)
    if r is None or r["kind"] not in ("v", "m"):
        return None
    view = sql.Identifier(t.schema, t.name)
    options = sql.SQL(" with ({})").format(sql.SQL(", ".join(r["options"]))) if r.get("options") else sql.SQL("")
    query = sql.SQL(r["definition"].rstrip().rstrip(";"))
    if r["kind"] == "v":
        return sql.SQL("create view {}{} as {}").format(view, options, query)
    data = sql.SQL(" with data" if r.get("populated") else " with no data")
    return sql.SQL("create materialized view {}{} as {}{}").format(view, options, query, data)


def _made_key(t: Taken) -> tuple[str, ...]:
    if t.kind in ("constraint", "domain_constraint", "default"):
        return (t.kind, t.schema, str(t.parent), t.name)
    return (t.kind, t.schema, t.name)


def created_by(step: Step) -> list[tuple[str, ...]]:
    """Keys (as `_made_key`) of the views, functions, indexes and constraints `step` creates."""
    out: list[tuple[str, ...]] = []
    for node in step.trees:
        if isinstance(node, ast.ViewStmt):
            out.append(("view", node.view.schemaname or "public", node.view.relname))
        elif isinstance(node, ast.CreateTableAsStmt) and node.into is not None:
            out.append(("view", node.into.rel.schemaname or "public", node.into.rel.relname))
        elif isinstance(node, ast.CreateFunctionStmt):
            names = [n.sval for n in node.funcname]
            out.append(("function", *(["public"] if len(names) == 1 else []), *names[-2:]))
        elif isinstance(node, ast.IndexStmt) and node.idxname:
            out.append(("index", node.relation.schemaname or "public", node.idxname))
        elif isinstance(node, ast.AlterTableStmt) and node.relation is not None:
            schema, table = node.relation.schemaname or "public", node.relation.relname
            for cmd in node.cmds or ():
                if cmd.subtype == enums.AlterTableType.AT_AddConstraint and getattr(cmd.def_, "conname", None):
                    out.append(("constraint", schema, table, cmd.def_.conname))
    return out
