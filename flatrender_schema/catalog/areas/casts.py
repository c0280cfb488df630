from psycopg import sql

from flatrender_schema.catalog.area import USER_OBJECT, Area, not_extension_member


def _comment_on(row: dict) -> tuple[str, sql.Composable]:
    return "cast", sql.SQL("({} as {})").format(sql.SQL(row["source"]), sql.SQL(row["target"]))


AREA = Area(
    name="casts",
    kind="cast",
    query=f"""
        select format_type(c.castsource, null) as source, format_type(c.casttarget, null) as target,
               nullif(c.castfunc, 0)::regprocedure::text as function, c.castcontext as context,
               c.castmethod as method, obj_description(c.oid, 'pg_cast') as comment
        from pg_cast c where {USER_OBJECT.format(oid="c.oid")} and {not_extension_member("pg_cast", "c.oid")}""",
    key=("source", "target"),
    scoped=False,
    comment_on=_comment_on,
)
