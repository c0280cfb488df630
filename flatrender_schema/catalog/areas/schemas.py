from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "schema", sql.Identifier(row["name"])


AREA = Area(
    name="schemas",
    kind="schema",
    query=f"""
        select n.nspname as name, pg_get_userbyid(n.nspowner) as owner,
               coalesce(n.nspacl, acldefault('n', n.nspowner))::text[] as acl,
               obj_description(n.oid, 'pg_namespace') as comment
        from pg_namespace n where {SYSTEM_SCHEMA_FILTER}
          and {not_extension_member("pg_namespace", "n.oid")}""",
    key=("name",),
    is_schema=True,
    comment_on=_named,
    owner_on=_named,
    grant_on=_named,
    engine_kinds=("schemas",),
)
