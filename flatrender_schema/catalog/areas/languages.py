from psycopg import sql

from flatrender_schema.catalog.area import USER_OBJECT, Area, not_extension_member


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "language", sql.Identifier(row["name"])


AREA = Area(
    name="languages",
    kind="language",
    # Languages an extension brings (plpgsql, plpython3u ...) are the extension's.
    query=f"""
        select l.lanname as name, l.lanpltrusted as trusted, l.lanplcallfoid::regprocedure::text as handler,
               nullif(l.laninline, 0)::regprocedure::text as inline, nullif(l.lanvalidator, 0)::regprocedure::text as validator,
               pg_get_userbyid(l.lanowner) as owner, coalesce(l.lanacl, acldefault('l', l.lanowner))::text[] as acl,
               obj_description(l.oid, 'pg_language') as comment
        from pg_language l
        where l.lanispl and {USER_OBJECT.format(oid="l.oid")} and {not_extension_member("pg_language", "l.oid")}""",
    key=("name",),
    scoped=False,
    comment_on=_named,
    owner_on=_named,
    grant_on=_named,
)
