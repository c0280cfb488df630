from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified


def _named(row: dict) -> tuple[str, sql.Composable]:
    keyword = "procedure" if row["kind"] == "p" else "function"
    return keyword, sql.SQL("{}({})").format(qualified(row["schema"], row["name"]), sql.SQL(row["args"]))


AREA = Area(
    name="functions",
    kind="function",
    # pg_get_functiondef writes every attribute: language, volatility, strictness, security, parallel,
    # leakproof, cost, rows, SET settings and the body (BEGIN ATOMIC bodies too). Aggregates: aggregates.
    query=f"""
        select n.nspname as schema, p.proname as name, pg_get_function_identity_arguments(p.oid) as args,
               p.prokind as kind, pg_get_function_result(p.oid) as result,
               pg_get_function_arguments(p.oid) as arguments,
               pg_get_functiondef(p.oid) as definition, pg_get_userbyid(p.proowner) as owner,
               coalesce(p.proacl, acldefault('f', p.proowner))::text[] as acl, obj_description(p.oid, 'pg_proc') as comment
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where {SYSTEM_SCHEMA_FILTER} and p.prokind in ('f', 'p', 'w')
          and {not_extension_member("pg_proc", "p.oid")}""",
    key=("schema", "name", "args"),
    comment_on=_named,
    owner_on=_named,
    grant_on=_named,
    engine_kinds=("functions",),
    engine_queries=(("FUNCTIONS_QUERY", False),),
)
