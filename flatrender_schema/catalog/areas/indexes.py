from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified


def _comment_on(row: dict) -> tuple[str, sql.Composable]:
    return "index", qualified(row["schema"], row["name"])


AREA = Area(
    name="indexes",
    kind="index",
    # Indexes backing a PRIMARY KEY, UNIQUE or EXCLUDE constraint are the constraint's (constraints).
    query=f"""
        select n.nspname as schema, i.relname as name, c.relname as table,
               pg_get_indexdef(i.oid) as definition,
               obj_description(i.oid, 'pg_class') as comment,
               (select pn.nspname || '.' || p.relname from pg_inherits h join pg_class p on p.oid = h.inhparent
                  join pg_namespace pn on pn.oid = p.relnamespace where h.inhrelid = i.oid) as parent,
               (select array_agg(a.attnum || '=' || a.attstattarget order by a.attnum) from pg_attribute a
                 where a.attrelid = i.oid and a.attstattarget::int > 0) as statistics
        from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid
        join pg_namespace n on n.oid = i.relnamespace
        where {SYSTEM_SCHEMA_FILTER}
          and not exists (select 1 from pg_constraint k where k.conindid = i.oid and k.contype in ('p','u','x')
                          and k.conrelid = c.oid)
          and {not_extension_member("pg_class", "c.oid")}
        order by 1, 2""",
    parent="table",
    comment_on=_comment_on,
    engine_kinds=("indexes",),
    engine_queries=(("INDEXES_QUERY", True),),
)
