from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "text search configuration", qualified(row["schema"], row["name"])


AREA = Area(
    name="text_search_configurations",
    kind="text search configuration",
    query=f"""
        select n.nspname as schema, c.cfgname as name, (select pn.nspname || '.' || p.prsname from pg_ts_parser p
                  join pg_namespace pn on pn.oid = p.prsnamespace where p.oid = c.cfgparser) as parser,
               (select array_agg(m.maptokentype || ' ' || m.mapseqno || ' ' || m.mapdict::regdictionary::text
                                 order by m.maptokentype, m.mapseqno)
                  from pg_ts_config_map m where m.mapcfg = c.oid) as mappings,
               pg_get_userbyid(c.cfgowner) as owner, obj_description(c.oid, 'pg_ts_config') as comment
        from pg_ts_config c join pg_namespace n on n.oid = c.cfgnamespace
        where {SYSTEM_SCHEMA_FILTER} and {not_extension_member("pg_ts_config", "c.oid")}""",
    comment_on=_named,
    owner_on=_named,
)
