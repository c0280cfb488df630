from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified


def _comment_on(row: dict) -> tuple[str, sql.Composable]:
    return "text search template", qualified(row["schema"], row["name"])


AREA = Area(
    name="text_search_templates",
    kind="text search template",
    query=f"""
        select n.nspname as schema, t.tmplname as name, nullif(t.tmplinit, 0)::regprocedure::text as init,
               t.tmpllexize::regprocedure::text as lexize, obj_description(t.oid, 'pg_ts_template') as comment
        from pg_ts_template t join pg_namespace n on n.oid = t.tmplnamespace
        where {SYSTEM_SCHEMA_FILTER} and {not_extension_member("pg_ts_template", "t.oid")}""",
    comment_on=_comment_on,
)
