from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area


def _comment_on(row: dict) -> tuple[str, sql.Composable]:
    return "policy", sql.SQL("{} on {}").format(sql.Identifier(row["name"]), sql.Identifier(row["schema"], row["table"]))


AREA = Area(
    name="policies",
    kind="policy",
    query=f"""
        select n.nspname as schema, c.relname as table, p.polname as name,
               case when p.polpermissive then 'PERMISSIVE' else 'RESTRICTIVE' end as permissive,
               case when p.polroles = '{{0}}'::oid[] then array['public']::name[]
                    else array(select r.rolname from pg_roles r where r.oid = any(p.polroles) order by r.rolname)
               end::text[] as roles,
               case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE'
                             when 'd' then 'DELETE' else 'ALL' end as cmd,
               pg_get_expr(p.polqual, p.polrelid) as qual, pg_get_expr(p.polwithcheck, p.polrelid) as with_check,
               obj_description(p.oid, 'pg_policy') as comment
        from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
        where {SYSTEM_SCHEMA_FILTER}""",
    key=("schema", "table", "name"),
    parent="table",
    comment_on=_comment_on,
    engine_kinds=("rlspolicies",),
    engine_queries=(("RLSPOLICIES_QUERY", True),),
)
