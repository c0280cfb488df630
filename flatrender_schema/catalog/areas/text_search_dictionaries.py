from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "text search dictionary", qualified(row["schema"], row["name"])


AREA = Area(
    name="text_search_dictionaries",
    kind="text search dictionary",
    query=f"""
        select n.nspname as schema, d.dictname as name,
               (select tn.nspname || '.' || t.tmplname from pg_ts_template t
                  join pg_namespace tn on tn.oid = t.tmplnamespace where t.oid = d.dicttemplate) as template,
               d.dictinitoption as options,
               pg_get_userbyid(d.dictowner) as owner, obj_description(d.oid, 'pg_ts_dict') as comment
        from pg_ts_dict d join pg_namespace n on n.oid = d.dictnamespace
        where {SYSTEM_SCHEMA_FILTER} and {not_extension_member("pg_ts_dict", "d.oid")}""",
    comment_on=_named,
    owner_on=_named,
)
