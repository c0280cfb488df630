from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area

AREA = Area(
    name="sequences",
    kind="sequence",
    # Owner, privileges and comment are the sequence's relation row's; identity sequences are their column's.
    query=f"""
        select s.schemaname as schema, s.sequencename as name, s.data_type::text as type,
               s.start_value, s.min_value, s.max_value, s.increment_by, s.cycle, s.cache_size,
               (select pn.nspname || '.' || pc.relname || '.' || pa.attname from pg_depend d
                  join pg_class pc on pc.oid = d.refobjid join pg_namespace pn on pn.oid = pc.relnamespace
                  join pg_attribute pa on pa.attrelid = d.refobjid and pa.attnum = d.refobjsubid
                  where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'a'
                  limit 1) as owned_by
        from pg_sequences s join pg_class c on c.relname = s.sequencename
        join pg_namespace n on n.oid = c.relnamespace and n.nspname = s.schemaname
        where {SYSTEM_SCHEMA_FILTER}
          and not exists (select 1 from pg_depend d where d.objid = c.oid
                          and d.classid = 'pg_class'::regclass and d.deptype = 'i')""",
    engine_kinds=("sequences",),
    engine_queries=(("SEQUENCES_QUERY", True),),
)
