from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "operator family", sql.SQL("{} using {}").format(qualified(row["schema"], row["name"]), sql.Identifier(row["method"]))


AREA = Area(
    name="operator_families",
    kind="operator family",
    # Its members: operators by strategy and support functions by number (an operator class's too).
    query=f"""
        select n.nspname as schema, f.opfname as name, a.amname as method,
               (select array_agg(o.amopstrategy || ' ' || o.amopopr::regoperator::text || ' ' || o.amoppurpose::text
                                 order by o.amopstrategy, o.amopopr::regoperator::text)
                  from pg_amop o where o.amopfamily = f.oid) as operators,
               (select array_agg(p.amprocnum || ' ' || p.amproc::regprocedure::text || ' '
                                 || format_type(p.amproclefttype, null) || ' ' || format_type(p.amprocrighttype, null)
                                 order by p.amprocnum, p.amproc::regprocedure::text)
                  from pg_amproc p where p.amprocfamily = f.oid) as functions,
               pg_get_userbyid(f.opfowner) as owner, obj_description(f.oid, 'pg_opfamily') as comment
        from pg_opfamily f join pg_namespace n on n.oid = f.opfnamespace join pg_am a on a.oid = f.opfmethod
        where {SYSTEM_SCHEMA_FILTER} and {not_extension_member("pg_opfamily", "f.oid")}""",
    key=("schema", "name", "method"),
    comment_on=_named,
    owner_on=_named,
)
