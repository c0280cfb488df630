from psycopg import sql

from flatrender_schema.catalog.area import Area


def _comment_on(row: dict) -> tuple[str, sql.Composable]:
    return "extension", sql.Identifier(row["name"])


AREA = Area(
    name="extensions",
    kind="extension",
    # Database-wide, whatever schema holds their objects (`schema` is where, not what scopes them).
    query="""
        select e.extname as name, n.nspname as schema, e.extversion as version,
               obj_description(e.oid, 'pg_extension') as comment
        from pg_extension e join pg_namespace n on n.oid = e.extnamespace
        where e.extname <> 'plpgsql'""",
    key=("name",),
    scoped=False,
    comment_on=_comment_on,
    engine_kinds=("extensions",),
)
