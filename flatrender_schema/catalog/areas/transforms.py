from psycopg import sql

from flatrender_schema.catalog.area import USER_OBJECT, Area, not_extension_member


def _comment_on(row: dict) -> tuple[str, sql.Composable]:
    return "transform", sql.SQL("for {} language {}").format(sql.SQL(row["type"]), sql.Identifier(row["language"]))


AREA = Area(
    name="transforms",
    kind="transform",
    query=f"""
        select format_type(t.trftype, null) as type, l.lanname as language,
               nullif(t.trffromsql, 0)::regprocedure::text as from_sql, nullif(t.trftosql, 0)::regprocedure::text as to_sql,
               obj_description(t.oid, 'pg_transform') as comment
        from pg_transform t join pg_language l on l.oid = t.trflang
        where {USER_OBJECT.format(oid="t.oid")} and {not_extension_member("pg_transform", "t.oid")}""",
    key=("type", "language"),
    scoped=False,
    comment_on=_comment_on,
)
