from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, qualified


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "statistics", qualified(row["schema"], row["name"])


AREA = Area(
    name="statistics",
    kind="statistics object",
    query=f"""
        select n.nspname as schema, s.stxname as name, c.relname as table,
               pg_get_statisticsobjdef(s.oid) as definition, nullif(s.stxstattarget::int, -1) as target,
               pg_get_userbyid(s.stxowner) as owner, obj_description(s.oid, 'pg_statistic_ext') as comment
        from pg_statistic_ext s join pg_namespace n on n.oid = s.stxnamespace join pg_class c on c.oid = s.stxrelid
        where {SYSTEM_SCHEMA_FILTER}""",
    parent="table",
    comment_on=_named,
    owner_on=_named,
)
