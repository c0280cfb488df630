from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "type", qualified(row["schema"], row["name"])


AREA = Area(
    name="types",
    kind="type",
    # Enums (labels in order), ranges (subtype, collation, operator class, functions) and base types.
    # Composite types are relations (their attributes are columns); domains: domains.
    query=f"""
        select n.nspname as schema, t.typname as name, t.typtype as kind,
               case when t.typtype = 'e' then (select array_agg(e.enumlabel::text order by e.enumsortorder)
                    from pg_enum e where e.enumtypid = t.oid) end as labels,
               (select array[format_type(r.rngsubtype, null),
                             (select quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                                from pg_collation co join pg_namespace cn on cn.oid = co.collnamespace
                               where co.oid = r.rngcollation),
                             (select quote_ident(on_.nspname) || '.' || quote_ident(oc.opcname)
                                from pg_opclass oc join pg_namespace on_ on on_.oid = oc.opcnamespace
                               where oc.oid = r.rngsubopc and not oc.opcdefault),
                             nullif(r.rngcanonical, 0)::regprocedure::text, nullif(r.rngsubdiff, 0)::regprocedure::text,
                             format_type(r.rngmultitypid, null)]
                  from pg_range r where r.rngtypid = t.oid) as range,
               case when t.typtype = 'b' then array[t.typinput::regprocedure::text, t.typoutput::regprocedure::text,
                    nullif(t.typreceive, 0)::regprocedure::text, nullif(t.typsend, 0)::regprocedure::text,
                    t.typlen::text, t.typalign::text, t.typstorage::text, t.typcategory::text, t.typdefault]
                    end as base,
               pg_get_userbyid(t.typowner) as owner, coalesce(t.typacl, acldefault('T', t.typowner))::text[] as acl,
               obj_description(t.oid, 'pg_type') as comment
        from pg_type t join pg_namespace n on n.oid = t.typnamespace
        where t.typtype in ('e', 'c', 'r', 'b') and {SYSTEM_SCHEMA_FILTER}
          and (t.typtype <> 'c' or exists (select 1 from pg_class c where c.oid = t.typrelid
               and c.relkind = 'c'))
          and not (t.typtype = 'b' and t.typelem <> 0 and t.typlen = -1
                   and exists (select 1 from pg_type e where e.oid = t.typelem and e.typarray = t.oid))
          and {not_extension_member("pg_type", "t.oid")}""",
    comment_on=_named,
    owner_on=_named,
    grant_on=_named,
    engine_kinds=("enums", "types"),
)
