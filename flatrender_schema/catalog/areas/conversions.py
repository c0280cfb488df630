from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "conversion", qualified(row["schema"], row["name"])


AREA = Area(
    name="conversions",
    kind="conversion",
    query=f"""
        select n.nspname as schema, c.conname as name, pg_encoding_to_char(c.conforencoding) as source,
               pg_encoding_to_char(c.contoencoding) as target, c.conproc::regprocedure::text as function,
               c.condefault as is_default, pg_get_userbyid(c.conowner) as owner,
               obj_description(c.oid, 'pg_conversion') as comment
        from pg_conversion c join pg_namespace n on n.oid = c.connamespace
        where {SYSTEM_SCHEMA_FILTER} and {not_extension_member("pg_conversion", "c.oid")}""",
    comment_on=_named,
    owner_on=_named,
)
