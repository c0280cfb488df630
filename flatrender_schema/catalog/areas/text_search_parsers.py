from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified


def _comment_on(row: dict) -> tuple[str, sql.Composable]:
    return "text search parser", qualified(row["schema"], row["name"])


AREA = Area(
    name="text_search_parsers",
    kind="text search parser",
    query=f"""
        select n.nspname as schema, p.prsname as name, p.prsstart::regprocedure::text as start,
               p.prstoken::regprocedure::text as gettoken, p.prsend::regprocedure::text as "end",
               p.prslextype::regprocedure::text as lextypes, nullif(p.prsheadline, 0)::regprocedure::text as headline,
               obj_description(p.oid, 'pg_ts_parser') as comment
        from pg_ts_parser p join pg_namespace n on n.oid = p.prsnamespace
        where {SYSTEM_SCHEMA_FILTER} and {not_extension_member("pg_ts_parser", "p.oid")}""",
    comment_on=_comment_on,
)
