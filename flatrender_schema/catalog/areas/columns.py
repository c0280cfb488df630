from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member


def _comment_on(row: dict) -> tuple[str, sql.Composable]:
    return "column", sql.Identifier(row["schema"], row["table"], row["name"])


# An identity column's sequence options: (snapshot field, its keyword in CREATE and in ALTER COLUMN ... SET),
# for the planners (gaps/identity.py, engine/creates.py). CYCLE is a flag of its own.
IDENTITY_OPTIONS = (
    ("identity_start", "start"), ("identity_increment", "increment"), ("identity_min", "minvalue"),
    ("identity_max", "maxvalue"), ("identity_cache", "cache"),
)
_IDENTITY = ("identity_type", *(f for f, _ in IDENTITY_OPTIONS), "identity_cycle")
_NO_IDENTITY = dict.fromkeys(_IDENTITY)


def _normalise(row: dict) -> None:
    """The identity sequence's options as fields of their own (read as one array)."""
    values = row.pop("identity_sequence", None)
    if values is None:  # most columns: one update, not seven conversions (18,000 rows at 2,000 tables)
        row.update(_NO_IDENTITY)
        return
    for i, (field, value) in enumerate(zip(_IDENTITY, values, strict=True)):
        if value is None or i == 0:
            row[field] = value
        elif field == "identity_cycle":
            row[field] = value == "true"
        else:
            row[field] = int(value)


AREA = Area(
    name="columns",
    kind="column",
    # identity_*: the options of an identity column's sequence (the sequence itself is the column's).
    # local: whether an inheritance child declares the column itself too (pg_dump lists it then).
    query=f"""
        select n.nspname as schema, c.relname as table, a.attname as name,
               format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
               pg_get_expr(d.adbin, d.adrelid) as default, a.attidentity as identity,
               a.attgenerated as generated,
               case when a.attcollation <> t.typcollation
                    then quote_ident(cn.nspname) || '.' || quote_ident(co.collname) end as collation,
               ds.description as comment,
               a.attacl::text[] as acl,
               case when a.attstorage <> t.typstorage then a.attstorage end as storage,
               nullif(a.attcompression, '') as compression,
               nullif(a.attstattarget::int, -1) as statistics,
               a.attfdwoptions::text[] as fdw_options,
               case when a.attinhcount > 0 and not c.relispartition then a.attislocal end as local,
               -- evaluated for identity columns only (a lookup per column would double the query)
               case when a.attidentity <> '' then (
                    select array[q.seqtypid::regtype::text, q.seqstart::text, q.seqincrement::text,
                                 q.seqmin::text, q.seqmax::text, q.seqcache::text, q.seqcycle::text]
                    from pg_depend sd join pg_sequence q on q.seqrelid = sd.objid
                    where sd.refclassid = 'pg_class'::regclass and sd.classid = 'pg_class'::regclass
                      and sd.refobjid = a.attrelid and sd.refobjsubid = a.attnum and sd.deptype = 'i') end
                 as identity_sequence
        from pg_attribute a join pg_class c on c.oid = a.attrelid
        join pg_namespace n on n.oid = c.relnamespace join pg_type t on t.oid = a.atttypid
        left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        left join pg_collation co on co.oid = a.attcollation
        -- a join, not col_description(): that is a query per row, a third of this one's time
        left join pg_description ds on ds.objoid = a.attrelid and ds.classoid = 'pg_class'::regclass
             and ds.objsubid = a.attnum
        left join pg_namespace cn on cn.oid = co.collnamespace
        where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f', 'c')
          and {SYSTEM_SCHEMA_FILTER}
          and {not_extension_member("pg_class", "c.oid")}""",
    key=("schema", "table", "name"),
    parent="table",
    comment_on=_comment_on,
    normalise=_normalise,
)
