from flatrender_schema.catalog.area import Area

AREA = Area(
    name="default_privileges",
    kind="default privileges",
    query="""
        select pg_get_userbyid(d.defaclrole) as role, coalesce(n.nspname, '') as schema,
               d.defaclobjtype as objtype, d.defaclacl::text[] as acl
        from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace
        where coalesce(n.nspname, '') <> all(%(exclude)s::text[])""",
    key=("role", "schema", "objtype"),
    scoped=False,
)
