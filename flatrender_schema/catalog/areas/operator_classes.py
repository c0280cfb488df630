from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "operator class", sql.SQL("{} using {}").format(qualified(row["schema"], row["name"]), sql.Identifier(row["method"]))


AREA = Area(
    name="operator_classes",
    kind="operator class",
    query=f"""
        select n.nspname as schema, c.opcname as name, a.amname as method, format_type(c.opcintype, null) as type,
               c.opcdefault as is_default, format_type(nullif(c.opckeytype, 0), null) as storage,
               fn.nspname || '.' || f.opfname as family,
               pg_get_userbyid(c.opcowner) as owner, obj_description(c.oid, 'pg_opclass') as comment
        from pg_opclass c join pg_namespace n on n.oid = c.opcnamespace join pg_am a on a.oid = c.opcmethod
        join pg_opfamily f on f.oid = c.opcfamily join pg_namespace fn on fn.oid = f.opfnamespace
        where {SYSTEM_SCHEMA_FILTER} and {not_extension_member("pg_opclass", "c.oid")}""",
    key=("schema", "name", "method"),
    comment_on=_named,
    owner_on=_named,
)
