"""Read what `schema pull` writes from a live database's catalogs: one query per kind of object.

Names come back quoted by the server (`quote_ident`, so only where needed) and definitions from the
server's own deparsers (`pg_get_*def`, `format_type`), read with an empty `search_path` so every name
in them is schema-qualified. Objects that belong to an extension are the extension's, not the schema's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import psycopg

from flatrender_schema.catalog.areas.aggregates import AREA as AGGREGATES
from flatrender_schema.catalog.areas.relations import OPTIONS as RELATION_OPTIONS
from flatrender_schema.catalog.areas.relations import TOAST_JOIN

_USER_SCHEMA = """
    {n}.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    and {n}.nspname not like 'pg\\_temp\\_%%' and {n}.nspname not like 'pg\\_toast\\_temp\\_%%'
    and {n}.nspname <> all(%(exclude)s::text[])
"""


def _user(alias: str = "n") -> str:
    return _USER_SCHEMA.format(n=alias)


def _not_member(cls: str, oid: str) -> str:
    return (
        f"not exists (select 1 from pg_depend e where e.classid = '{cls}'::regclass and e.objid = {oid} "
        "and e.deptype = 'e')"
    )


RELATION_ACL = "(case when c.relkind = 'S' then 's' else 'r' end)::\"char\""
QNAME = "quote_ident(n.nspname) || '.' || quote_ident({rel}.{col})"

QUERIES: dict[str, str] = {
    "schemas": f"""
        select n.nspname as schema, quote_ident(n.nspname) as qname, pg_get_userbyid(n.nspowner) as owner,
               coalesce(n.nspacl, acldefault('n', n.nspowner))::text[] as acl,
               acldefault('n', n.nspowner)::text[] as default_acl, obj_description(n.oid, 'pg_namespace') as comment
        from pg_namespace n where {_user()} and {_not_member("pg_namespace", "n.oid")}""",
    "extensions": """
        select e.extname as name, quote_ident(e.extname) as qname, n.nspname as schema,
               quote_ident(n.nspname) as qschema, e.extversion as version, a.default_version,
               obj_description(e.oid, 'pg_extension') as comment, a.comment as default_comment
        from pg_extension e join pg_namespace n on n.oid = e.extnamespace
        left join pg_available_extensions a on a.name = e.extname
        where e.extname <> 'plpgsql'""",
    "collations": f"""
        select n.nspname as schema, c.collname as name, {QNAME.format(rel="c", col="collname")} as qname,
               c.collprovider as provider, c.collcollate as collate, c.collctype as ctype,
               c.collisdeterministic as deterministic,
               coalesce(to_jsonb(c) ->> 'colllocale', to_jsonb(c) ->> 'colliculocale') as locale
        from pg_collation c join pg_namespace n on n.oid = c.collnamespace
        where {_user()} and {_not_member("pg_collation", "c.oid")}""",
    "types": f"""
        select n.nspname as schema, t.typname as name, {QNAME.format(rel="t", col="typname")} as qname,
               t.typtype as kind, pg_get_userbyid(t.typowner) as owner,
               coalesce(t.typacl, acldefault('T', t.typowner))::text[] as acl,
               acldefault('T', t.typowner)::text[] as default_acl,
               obj_description(t.oid, 'pg_type') as comment,
               case when t.typtype = 'e' then (select array_agg(quote_literal(e.enumlabel) order by e.enumsortorder)
                    from pg_enum e where e.enumtypid = t.oid) end as labels,
               case when t.typtype = 'c' then (select array_agg(quote_ident(a.attname) || ' '
                        || format_type(a.atttypid, a.atttypmod)
                        || case when a.attcollation <> at.typcollation
                                then ' COLLATE ' || quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                                else '' end order by a.attnum)
                    from pg_attribute a join pg_type at on at.oid = a.atttypid
                    left join pg_collation co on co.oid = a.attcollation
                    left join pg_namespace cn on cn.oid = co.collnamespace
                    where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped) end as attributes,
               case when t.typtype = 'c' then t.typrelid end as relid,
               format_type(r.rngsubtype, null) as subtype,
               case when r.rngcollation <> 0 and r.rngcollation <> st.typcollation then
                    (select quote_ident(cn.nspname) || '.' || quote_ident(co.collname) from pg_collation co
                     join pg_namespace cn on cn.oid = co.collnamespace where co.oid = r.rngcollation) end as collation,
               case when r.rngsubdiff <> 0 then r.rngsubdiff::regproc::text end as subtype_diff,
               case when r.rngcanonical <> 0 then r.rngcanonical::regproc::text end as canonical,
               case when r.rngsubopc <> 0 and not oc.opcdefault then
                    quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) end as opclass,
               (select quote_ident(mn.nspname) || '.' || quote_ident(m.typname) from pg_type m
                  join pg_namespace mn on mn.oid = m.typnamespace where m.oid = r.rngmultitypid) as multirange,
               (select m.typname from pg_type m where m.oid = r.rngmultitypid) as multirange_name
        from pg_type t join pg_namespace n on n.oid = t.typnamespace
        left join pg_range r on r.rngtypid = t.oid
        left join pg_type st on st.oid = r.rngsubtype
        left join pg_opclass oc on oc.oid = r.rngsubopc
        left join pg_namespace ocn on ocn.oid = oc.opcnamespace
        where t.typtype in ('e', 'c', 'r') and {_user()} and {_not_member("pg_type", "t.oid")}
          and (t.typtype <> 'c' or exists (select 1 from pg_class c where c.oid = t.typrelid and c.relkind = 'c'))""",
    "domains": f"""
        select n.nspname as schema, t.typname as name, {QNAME.format(rel="t", col="typname")} as qname,
               format_type(t.typbasetype, t.typtypmod) as base, t.typnotnull as not_null, t.typdefault as default,
               case when t.typcollation <> bt.typcollation then
                    (select quote_ident(cn.nspname) || '.' || quote_ident(co.collname) from pg_collation co
                     join pg_namespace cn on cn.oid = co.collnamespace where co.oid = t.typcollation) end as collation,
               (select array_agg('CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid)
                                 order by k.conname)
                  from pg_constraint k where k.contypid = t.oid and k.contype = 'c') as checks,
               pg_get_userbyid(t.typowner) as owner, coalesce(t.typacl, acldefault('T', t.typowner))::text[] as acl,
               acldefault('T', t.typowner)::text[] as default_acl,
               obj_description(t.oid, 'pg_type') as comment
        from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_type bt on bt.oid = t.typbasetype
        where t.typtype = 'd' and {_user()} and {_not_member("pg_type", "t.oid")}""",
    "relations": f"""
        select c.oid, n.nspname as schema, c.relname as name, {QNAME.format(rel="c", col="relname")} as qname,
               c.relkind as kind, c.relpersistence as persistence, pg_get_userbyid(c.relowner) as owner,
               coalesce(c.relacl, acldefault({RELATION_ACL}, c.relowner))::text[] as acl,
               acldefault({RELATION_ACL}, c.relowner)::text[] as default_acl,
               ({RELATION_OPTIONS})::text[] as options,
               c.relrowsecurity as rls,
               c.relforcerowsecurity as rls_forced, obj_description(c.oid, 'pg_class') as comment,
               case when c.reloftype <> 0 then format_type(c.reloftype, null) end as of_type,
               c.relreplident as replica_identity,
               (select quote_ident(ri.relname) from pg_index x join pg_class ri on ri.oid = x.indexrelid
                 where x.indrelid = c.oid and x.indisreplident) as replica_index,
               case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end as partition_key,
               pg_get_expr(c.relpartbound, c.oid) as partition_bound, c.relispartition as is_partition,
               (select array_agg(quote_ident(pn.nspname) || '.' || quote_ident(p.relname) order by i.inhseqno)
                  from pg_inherits i join pg_class p on p.oid = i.inhparent
                  join pg_namespace pn on pn.oid = p.relnamespace where i.inhrelid = c.oid) as parents,
               (select pn.nspname || '.' || p.relname from pg_inherits i join pg_class p on p.oid = i.inhparent
                  join pg_namespace pn on pn.oid = p.relnamespace where i.inhrelid = c.oid
                  order by i.inhseqno limit 1) as first_parent,
               case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid) end as definition,
               c.relkind <> 'm' or c.relispopulated as populated,
               case when c.relkind = 'S' then (select d.refobjid from pg_depend d where d.objid = c.oid
                    and d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass
                    and d.deptype in ('a', 'i') limit 1) end as owned_by_oid,
               case when c.relkind = 'S' then (select quote_ident(pa.attname) from pg_depend d
                    join pg_attribute pa on pa.attrelid = d.refobjid and pa.attnum = d.refobjsubid
                    where d.objid = c.oid and d.classid = 'pg_class'::regclass and d.deptype = 'a' limit 1)
                    end as owned_by_column,
               case when c.relkind = 'S' then (select d.refobjsubid from pg_depend d where d.objid = c.oid
                    and d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass
                    and d.deptype in ('a', 'i') limit 1) end as owned_by_attnum,
               c.relkind = 'S' and exists (select 1 from pg_depend d where d.objid = c.oid
                    and d.classid = 'pg_class'::regclass and d.deptype = 'i') as identity_sequence
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        {TOAST_JOIN}
        where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and {_user()} and {_not_member("pg_class", "c.oid")}""",
    "sequences": f"""
        select c.oid, s.seqtypid::regtype::text as type, s.seqstart as start, s.seqincrement as increment,
               s.seqmax as max, s.seqmin as min, s.seqcache as cache, s.seqcycle as cycle
        from pg_sequence s join pg_class c on c.oid = s.seqrelid join pg_namespace n on n.oid = c.relnamespace
        where {_user()}""",
    "columns": f"""
        select a.attrelid as relid, a.attnum as num, a.attname as name, quote_ident(a.attname) as qname,
               format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
               pg_get_expr(d.adbin, d.adrelid) as default, a.attidentity as identity,
               a.attgenerated as generated, a.attislocal as local, a.attinhcount as inherited,
               case when a.attcollation <> t.typcollation
                    then quote_ident(cn.nspname) || '.' || quote_ident(co.collname) end as collation,
               col_description(c.oid, a.attnum) as comment, a.attacl::text[] as acl
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        join pg_type t on t.oid = a.atttypid
        left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        left join pg_collation co on co.oid = a.attcollation
        left join pg_namespace cn on cn.oid = co.collnamespace
        where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f', 'c') and {_user()}
        order by a.attrelid, a.attnum""",
    "constraints": f"""
        select k.conrelid as relid, k.conname as name, quote_ident(k.conname) as qname, k.contype as type,
               pg_get_constraintdef(k.oid) as definition, k.convalidated as validated,
               (select i.reloptions::text[] from pg_class i where i.oid = k.conindid
                 and k.contype in ('p', 'u', 'x')) as index_options,
               obj_description(k.oid, 'pg_constraint') as comment,
               case when k.contype = 'f' then k.confrelid end as references_oid,
               (select array_agg(a.attname order by a.attnum) from pg_attribute a
                 where a.attrelid = k.conrelid and a.attnum = any(k.conkey)) as columns,
               (select fn.nspname || '.' || f.relname || '.' || a.attname from pg_class f
                  join pg_namespace fn on fn.oid = f.relnamespace
                  join pg_attribute a on a.attrelid = f.oid and a.attnum = k.confkey[1]
                 where f.oid = k.confrelid and cardinality(k.confkey) = 1) as references_column
        from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
        where {_user()} and k.conislocal and k.contype in ('p', 'u', 'f', 'c', 'x')""",
    "indexes": f"""
        select x.indrelid as relid, i.relname as name, quote_ident(n.nspname) || '.' || quote_ident(i.relname) as qname,
               pg_get_indexdef(i.oid) as definition, obj_description(i.oid, 'pg_class') as comment
        from pg_index x join pg_class i on i.oid = x.indexrelid join pg_namespace n on n.oid = i.relnamespace
        where {_user()}
          and not exists (select 1 from pg_constraint k where k.conindid = i.oid and k.contype in ('p', 'u', 'x')
                          and k.conrelid = x.indrelid)
          and not exists (select 1 from pg_inherits h where h.inhrelid = i.oid)""",
    "triggers": f"""
        select g.tgrelid as relid, g.tgname as name, pg_get_triggerdef(g.oid) as definition,
               g.tgenabled as enabled, quote_ident(g.tgname) as qname,
               obj_description(g.oid, 'pg_trigger') as comment
        from pg_trigger g join pg_class c on c.oid = g.tgrelid join pg_namespace n on n.oid = c.relnamespace
        where not g.tgisinternal and {_user()} and g.tgparentid = 0""",
    "policies": f"""
        select p.polrelid as relid, p.polname as name, quote_ident(p.polname) as qname, p.polpermissive as permissive,
               p.polcmd as cmd, pg_get_expr(p.polqual, p.polrelid) as qual,
               pg_get_expr(p.polwithcheck, p.polrelid) as with_check,
               (select array_agg(case when r = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(r)) end
                                 order by case when r = 0 then '' else pg_get_userbyid(r) end)
                  from unnest(p.polroles) r) as roles
        from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
        where {_user()}""",
    "functions": f"""
        select n.nspname as schema, p.proname as name, p.prokind as kind,
               {QNAME.format(rel="p", col="proname")} || '(' || pg_get_function_identity_arguments(p.oid) || ')'
                 as signature,
               pg_get_functiondef(p.oid) as definition, pg_get_userbyid(p.proowner) as owner,
               coalesce(p.proacl, acldefault('f', p.proowner))::text[] as acl,
               acldefault('f', p.proowner)::text[] as default_acl, obj_description(p.oid, 'pg_proc') as comment
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where {_user()} and p.prokind in ('f', 'p', 'w') and {_not_member("pg_proc", "p.oid")}""",
    "default_privileges": """
        select pg_get_userbyid(d.defaclrole) as role, n.nspname as schema, quote_ident(n.nspname) as qschema,
               d.defaclobjtype as objtype, d.defaclacl::text[] as acl,
               acldefault(d.defaclobjtype, d.defaclrole)::text[] as default_acl
        from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace
        where coalesce(n.nspname, '') <> all(%(exclude)s::text[])""",
    # The judge's fields (catalog/areas/aggregates.py), which gaps.aggregates writes CREATE AGGREGATE from,
    # with the names pull writes the rest with.
    "aggregates": f"""
        select q.*, quote_ident(q.schema) || '.' || quote_ident(q.name) || '(' || coalesce(nullif(q.args, ''), '*')
                 || ')' as signature, p.oid::regprocedure::text as procedure,
               acldefault('f', p.proowner)::text[] as default_acl
        from ({AGGREGATES.query}) q
        join pg_namespace n on n.nspname = q.schema
        join pg_proc p on p.pronamespace = n.oid and p.proname = q.name
             and pg_get_function_identity_arguments(p.oid) = q.args and p.prokind = 'a'
        where {_user()}""",
}


@dataclass(frozen=True)
class LiveCatalog:
    """Rows per kind, as the queries above return them, plus who reads them."""

    rows: dict[str, tuple[dict[str, Any], ...]]
    current_user: str
    major: int

    def of(self, kind: str) -> tuple[dict[str, Any], ...]:
        return self.rows.get(kind, ())


# What pg_get_constraintdef ends with after a key's column list (and INCLUDE): where the DDL puts
# the index's WITH (...) options, before the exclusion's WHERE and the constraint's attributes.
_AFTER_OPTIONS = re.compile(r"(?: WHERE \(.*\))?(?: DEFERRABLE)?(?: INITIALLY DEFERRED)?(?: NOT VALID)?$", re.S)


def _with_index_options(k: dict[str, Any]) -> dict[str, Any]:
    """A key's definition with its index's storage options (pg_get_constraintdef leaves them out)."""
    if not k["index_options"]:
        return k
    definition = k["definition"]
    at = _AFTER_OPTIONS.search(definition).start()  # type: ignore[union-attr]
    return k | {"definition": f"{definition[:at]} WITH ({', '.join(k['index_options'])}){definition[at:]}"}


def read_catalog(conn: psycopg.Connection, exclude_schemas: tuple[str, ...] = ()) -> LiveCatalog:
    """Read every kind in one transaction (one view of the catalogs), `search_path` empty inside it only:
    the caller's connection keeps its settings."""
    params = {"exclude": sorted(exclude_schemas)}
    rows: dict[str, tuple[dict[str, Any], ...]] = {}
    with conn.transaction(), conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute("select set_config('search_path', '', true)")
        for kind, query in QUERIES.items():
            cur.execute(query, params)  # type: ignore[arg-type]
            rows[kind] = tuple(cur.fetchall())
        rows["constraints"] = tuple(_with_index_options(k) for k in rows["constraints"])
        cur.execute("select current_user as u")
        user = str(cur.fetchone()["u"])  # type: ignore[index]
    return LiveCatalog(rows, user, conn.info.server_version // 10000)
