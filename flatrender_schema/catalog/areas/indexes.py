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
               ds.description as comment,
               pn.nspname || '.' || p.relname as parent, st.statistics
        from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid
        join pg_namespace n on n.oid = i.relnamespace
        -- joins, not a subquery per index: the planner costed those over its JIT threshold
        left join pg_description ds on ds.objoid = i.oid and ds.classoid = 'pg_class'::regclass
             and ds.objsubid = 0
        left join pg_inherits h on h.inhrelid = i.oid  -- an index has one parent at most
        left join pg_class p on p.oid = h.inhparent left join pg_namespace pn on pn.oid = p.relnamespace
        -- only an expression column of an index takes a statistics target
        left join (select a.attrelid, array_agg(a.attnum || '=' || a.attstattarget order by a.attnum) as statistics
                     from pg_attribute a where a.attstattarget::int > 0 group by 1) st
               on st.attrelid = i.oid and x.indexprs is not null
        where {SYSTEM_SCHEMA_FILTER}
          and not exists (select 1 from pg_constraint k where k.conindid = i.oid and k.contype in ('p','u','x')
                          and k.conrelid = c.oid)
          and {not_extension_member("pg_class", "c.oid")}""",
    parent="table",
    comment_on=_comment_on,
    engine_kinds=("indexes",),
    engine_queries=(("INDEXES_QUERY", True),),
)
