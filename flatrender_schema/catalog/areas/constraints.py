from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area
from flatrender_schema.sqlnorm import canonical_check


def _comment_on(row: dict) -> tuple[str, sql.Composable]:
    return "constraint", sql.SQL("{} on {}").format(sql.Identifier(row["name"]), sql.Identifier(row["schema"], row["table"]))


def _normalise(row: dict) -> None:
    if row["type"] == "c":
        row["definition"] = canonical_check(row["definition"])


AREA = Area(
    name="constraints",
    kind="constraint",
    # A partition's inherited constraints are its parent's; an inheritance child's are listed, with
    # whether the child declares them itself too (`local`), as pg_dump does.
    query=f"""
        select n.nspname as schema, c.relname as table, k.conname as name, k.contype as type,
               pg_get_constraintdef(k.oid) as definition, k.convalidated as validated,
               ds.description as comment,
               case when k.coninhcount > 0 then k.conislocal end as local,
               -- a key or exclusion constraint's index storage options: pg_get_constraintdef leaves
               -- them out (pg_dump writes them: `PRIMARY KEY (id) WITH (fillfactor = 70)`)
               ci.reloptions as index_options
        from pg_constraint k join pg_class c on c.oid = k.conrelid
        join pg_namespace n on n.oid = c.relnamespace
        left join pg_class ci on ci.oid = k.conindid and k.contype in ('p', 'u', 'x')
        left join pg_description ds on ds.objoid = k.oid and ds.classoid = 'pg_constraint'::regclass
             and ds.objsubid = 0  -- a join, not obj_description(): that is a query per row
        -- contype 'n': PostgreSQL 18's NOT NULL constraints, recorded per column (not_null)
        where {SYSTEM_SCHEMA_FILTER} and (k.conislocal or not c.relispartition)
          and k.contype <> 'n'""",
    key=("schema", "table", "name"),
    parent="table",
    comment_on=_comment_on,
    normalise=_normalise,
    engine_kinds=("constraints",),
    engine_queries=(("CONSTRAINTS_QUERY", True),),
)
