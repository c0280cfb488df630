from psycopg import sql

from flatrender_schema.catalog.area import Area, not_extension_member


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "server", sql.Identifier(row["name"])


def _grant_on(row: dict) -> tuple[str, sql.Composable]:
    return "foreign server", sql.Identifier(row["name"])


AREA = Area(
    name="foreign_servers",
    kind="foreign server",
    query=f"""
        select s.srvname as name, w.fdwname as wrapper, s.srvtype as type, s.srvversion as version,
               s.srvoptions::text[] as options,
               pg_get_userbyid(s.srvowner) as owner, coalesce(s.srvacl, acldefault('S', s.srvowner))::text[] as acl,
               obj_description(s.oid, 'pg_foreign_server') as comment,
               -- the view, not pg_user_mapping (superusers only); options show where this role may see them
               (select array_agg(m.usename || ' ' || coalesce(m.umoptions::text, '{{}}') order by 1)
                  from pg_user_mappings m where m.srvid = s.oid) as user_mappings
        from pg_foreign_server s join pg_foreign_data_wrapper w on w.oid = s.srvfdw
        where {not_extension_member("pg_foreign_server", "s.oid")}""",
    key=("name",),
    scoped=False,
    comment_on=_named,
    owner_on=_named,
    grant_on=_grant_on,
)
