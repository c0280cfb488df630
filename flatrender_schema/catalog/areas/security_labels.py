from flatrender_schema.catalog.area import Area

AREA = Area(
    name="security_labels",
    kind="security label",
    # Any object's, named as PostgreSQL identifies it; empty unless a label provider is loaded.
    query="""
        select o.type as object_type, o.identity as object, l.provider, l.label
        from pg_seclabel l, lateral pg_identify_object(l.classoid, l.objoid, l.objsubid) o
        where coalesce(o.schema, '') not in ('pg_catalog', 'information_schema')
          and coalesce(o.schema, '') <> all(%(exclude)s::text[])""",
    key=("object_type", "object", "provider"),
    scoped=False,
)
