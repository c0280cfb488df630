from psycopg import sql

from flatrender_schema.catalog.area import Area, not_extension_member


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "foreign data wrapper", sql.Identifier(row["name"])


AREA = Area(
    name="foreign_data_wrappers",
    kind="foreign-data wrapper",
    query=f"""
        select w.fdwname as name, nullif(w.fdwhandler, 0)::regprocedure::text as handler,
               nullif(w.fdwvalidator, 0)::regprocedure::text as validator, w.fdwoptions::text[] as options,
               pg_get_userbyid(w.fdwowner) as owner, coalesce(w.fdwacl, acldefault('F', w.fdwowner))::text[] as acl,
               obj_description(w.oid, 'pg_foreign_data_wrapper') as comment
        from pg_foreign_data_wrapper w where {not_extension_member("pg_foreign_data_wrapper", "w.oid")}""",
    key=("name",),
    scoped=False,
    comment_on=_named,
    owner_on=_named,
    grant_on=_named,
)
