from psycopg import sql

from flatrender_schema.catalog.area import USER_OBJECT, Area, not_extension_member


def _comment_on(row: dict) -> tuple[str, sql.Composable]:
    return "access method", sql.Identifier(row["name"])


AREA = Area(
    name="access_methods",
    kind="access method",
    query=f"""
        select a.amname as name, a.amtype as type, a.amhandler::regprocedure::text as handler,
               obj_description(a.oid, 'pg_am') as comment
        from pg_am a where {USER_OBJECT.format(oid="a.oid")} and {not_extension_member("pg_am", "a.oid")}""",
    key=("name",),
    scoped=False,
    comment_on=_comment_on,
)
