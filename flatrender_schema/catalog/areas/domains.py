from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "domain", qualified(row["schema"], row["name"])


AREA = Area(
    name="domains",
    kind="domain",
    # Its CHECK constraints are rows of their own (domain_constraints).
    query=f"""
        select n.nspname as schema, t.typname as name, format_type(t.typbasetype, t.typtypmod) as base,
               t.typnotnull as not_null, t.typdefault as default,
               case when t.typcollation <> b.typcollation
                    then quote_ident(cn.nspname) || '.' || quote_ident(co.collname) end as collation,
               pg_get_userbyid(t.typowner) as owner, coalesce(t.typacl, acldefault('T', t.typowner))::text[] as acl,
               obj_description(t.oid, 'pg_type') as comment
        from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_type b on b.oid = t.typbasetype
        left join pg_collation co on co.oid = t.typcollation
        left join pg_namespace cn on cn.oid = co.collnamespace
        where t.typtype = 'd' and {SYSTEM_SCHEMA_FILTER}
          and {not_extension_member("pg_type", "t.oid")}""",
    comment_on=_named,
    owner_on=_named,
    grant_on=_named,
    engine_kinds=("domains",),
)
