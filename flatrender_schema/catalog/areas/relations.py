from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified

KEYWORDS = {
    "r": "table",
    "p": "table",
    "f": "foreign table",
    "v": "view",
    "m": "materialized view",
    "S": "sequence",
    "c": "type",
}


def _owner_on(row: dict) -> tuple[str, sql.Composable]:
    return KEYWORDS[row["kind"]], qualified(row["schema"], row["name"])


def _grant_on(row: dict) -> tuple[str, sql.Composable]:
    keyword = KEYWORDS[row["kind"]]
    return ("sequence" if keyword == "sequence" else "type" if keyword == "type" else "table"), qualified(
        row["schema"], row["name"]
    )


def _comment_on(row: dict) -> tuple[str, sql.Composable]:
    keyword = KEYWORDS[row["kind"]]
    return ("table" if keyword == "foreign table" else keyword), qualified(row["schema"], row["name"])


# A relation's options, then its TOAST table's as `toast.name=value` (as pg_dump writes them), over `c`
# joined to its TOAST relation as `tc` (TOAST_JOIN); pull reads them the same way.
OPTIONS = """case when tc.reloptions is null then c.reloptions else coalesce(c.reloptions, array[]::text[])
                 || array(select 'toast.' || o from unnest(tc.reloptions) o) end"""
TOAST_JOIN = "left join pg_class tc on tc.oid = c.reltoastrelid and tc.reloptions is not null"


AREA = Area(
    name="relations",
    kind="relation",
    query=f"""
        select n.nspname as schema, c.relname as name, c.relkind as kind, c.relpersistence as persistence,
               pg_get_userbyid(c.relowner) as owner, coalesce(c.relacl, acldefault((case when c.relkind = 'S' then 's' else 'r' end)::"char", c.relowner))::text[] as acl,
               case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end as partition_key,
               pg_get_expr(c.relpartbound, c.oid) as partition_bound,
               (select array_agg(pn.nspname || '.' || p.relname order by i.inhseqno)
                  from pg_inherits i join pg_class p on p.oid = i.inhparent
                  join pg_namespace pn on pn.oid = p.relnamespace where i.inhrelid = c.oid) as parents,
               {OPTIONS} as options,
               c.relrowsecurity as rls, c.relforcerowsecurity as rls_forced,
               case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid) end as definition,
               case when c.relkind = 'm' then c.relispopulated end as populated,
               ds.description as comment,
               c.relkind = 'S' and exists (select 1 from pg_depend d where d.objid = c.oid
                       and d.classid = 'pg_class'::regclass and d.deptype = 'i') as identity_sequence,
               case when c.relkind in ('r', 'p', 'm') then c.relreplident end as replica_identity,
               ix.replica_index, ix.clustered_on, nullif(am.amname, 'heap') as access_method,
               case when c.relkind = 'f' then (select s.srvname from pg_foreign_table ft
                 join pg_foreign_server s on s.oid = ft.ftserver where ft.ftrelid = c.oid) end as server,
               case when c.relkind = 'f' then (select ft.ftoptions from pg_foreign_table ft
                 where ft.ftrelid = c.oid)::text[] end as server_options,
               -- a typed table (`CREATE TABLE t OF some_type`): its columns are the type's
               case when c.reloftype <> 0 then (select quote_ident(tn.nspname) || '.' || quote_ident(t.typname)
                 from pg_type t join pg_namespace tn on tn.oid = t.typnamespace where t.oid = c.reloftype) end
                 as of_type
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        left join pg_am am on am.oid = c.relam
        {TOAST_JOIN}
        left join pg_description ds on ds.objoid = c.oid and ds.classoid = 'pg_class'::regclass
             and ds.objsubid = 0  -- a join, not obj_description(): that is a query per row
        -- the few indexes that are a replica identity or clustered on, once (not a lookup per relation)
        left join (select x.indrelid, min(i.relname) filter (where x.indisreplident) as replica_index,
                          min(i.relname) filter (where x.indisclustered) as clustered_on
                     from pg_index x join pg_class i on i.oid = x.indexrelid
                    where x.indisreplident or x.indisclustered group by 1) ix on ix.indrelid = c.oid
        where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S', 'c') and {SYSTEM_SCHEMA_FILTER}
          and {not_extension_member("pg_class", "c.oid")}
          -- an anti join: as `not (relkind = 'c' and exists ...)` the planner costed it per row, well
          -- over the threshold where it JIT-compiles the query (seconds, where JIT is on)
          and not exists (select 1 from pg_type t where t.typrelid = c.oid and c.relkind = 'c'
                          and t.typtype <> 'c')""",
    comment_on=_comment_on,
    owner_on=_owner_on,
    grant_on=_grant_on,
    engine_kinds=("relations", "tables", "views", "materialized_views", "composite_types", "selectables"),
    engine_queries=(("ALL_RELATIONS_QUERY", False), ("PRIVILEGES_QUERY", False)),
)
