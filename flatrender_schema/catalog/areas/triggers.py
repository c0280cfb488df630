from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area


def _comment_on(row: dict) -> tuple[str, sql.Composable]:
    return "trigger", sql.SQL("{} on {}").format(sql.Identifier(row["name"]), sql.Identifier(row["schema"], row["table"]))


AREA = Area(
    name="triggers",
    kind="trigger",
    query=f"""
        select n.nspname as schema, c.relname as table, g.tgname as name,
               pg_get_triggerdef(g.oid) as definition, g.tgenabled as enabled,
               obj_description(g.oid, 'pg_trigger') as comment
        from pg_trigger g join pg_class c on c.oid = g.tgrelid join pg_namespace n on n.oid = c.relnamespace
        where not g.tgisinternal and {SYSTEM_SCHEMA_FILTER}""",
    key=("schema", "table", "name"),
    parent="table",
    comment_on=_comment_on,
    engine_kinds=("triggers",),
    engine_queries=(("TRIGGERS_QUERY", True),),
)
