"""What the judge reads of a Citus database: the distribution, never the shards.

Two areas join the snapshot when the `citus` extension is installed (and only then: a plain
database's snapshot, and so its fingerprint, is unchanged):

- `citus_tables`: one row per distributed, reference or Citus-local table — how it is placed
  (`distributed`, `reference`, `citus_local`), its distribution column and shard count.
- `citus_colocation`: one row per co-location group of distributed tables, its members by name
  (the group's ids differ from one database to another; its members do not). The row is named after
  its first member.

Partitions are left out of both: Citus distributes them with their parent, so they cannot differ.

Shards are relations named `<table>_<shardid>`. Citus hides them from client backends' queries on
`pg_class` (`citus.override_table_visibility`), which every judge query joins; `hide_shards` drops
them again by the names `pg_dist_shard` gives, so a session that sees them (an application name in
`citus.show_shards_for_app_name_prefixes`) judges the same.
"""

from __future__ import annotations

from typing import Any

import psycopg

_FILTER = """
    n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    and n.nspname <> all(%(exclude)s::text[]) and not c.relispartition
"""

AREAS: dict[str, str] = {
    "citus_tables": f"""
        select n.nspname as schema, c.relname as name,
               case when p.partmethod = 'h' then 'distributed'
                    when p.partmethod = 'n' and p.repmodel = 't' then 'reference'
                    when p.partmethod = 'n' then 'citus_local'
                    else p.partmethod::text end as kind,
               case when p.partmethod = 'h' then column_to_column_name(p.logicalrelid, p.partkey) end as column,
               (select count(*) from pg_dist_shard s where s.logicalrelid = p.logicalrelid)::int as shard_count
        from pg_dist_partition p join pg_class c on c.oid = p.logicalrelid
        join pg_namespace n on n.oid = c.relnamespace
        where {_FILTER}
        order by 1, 2""",
    "citus_colocation": f"""
        select split_part(min(n.nspname || '.' || c.relname), '.', 1) as schema,
               split_part(min(n.nspname || '.' || c.relname), '.', 2) as name,
               array_agg(n.nspname || '.' || c.relname order by n.nspname, c.relname) as members
        from pg_dist_partition p join pg_class c on c.oid = p.logicalrelid
        join pg_namespace n on n.oid = c.relnamespace
        where p.partmethod = 'h' and {_FILTER}
        group by p.colocationid
        order by 1, 2""",
}


def has_citus(conn: psycopg.Connection) -> bool:
    return conn.execute("select 1 from pg_extension where extname = 'citus'").fetchone() is not None


def hide_shards(conn: psycopg.Connection, areas: dict[str, tuple[dict[str, Any], ...]]) -> None:
    """Drop, in place, the rows of shard relations (and of their columns, indexes, constraints...)."""
    if "citus_tables" not in areas:
        return
    rows = conn.execute(
        """select n.nspname, c.relname || '_' || s.shardid from pg_dist_shard s
           join pg_class c on c.oid = s.logicalrelid join pg_namespace n on n.oid = c.relnamespace"""
    ).fetchall()
    shards = {(str(schema), str(name)) for schema, name in rows}
    if not shards:
        return
    for area, area_rows in areas.items():
        if area in ("citus_tables", "citus_colocation", "extensions", "schemas"):
            continue
        areas[area] = tuple(
            r for r in area_rows
            if not any(f in r and (str(r.get("schema", "")), str(r[f])) in shards for f in ("table", "name"))
        )


def read_into(conn: psycopg.Connection, params: dict[str, Any], areas: dict[str, tuple[dict[str, Any], ...]]) -> None:
    """Add the distribution areas to a snapshot being read (when the database is a Citus one), then
    drop every shard's rows from all areas. Read whole, also for a narrowed snapshot: a few rows per
    table, and both sides of a comparison are read alike."""
    extra = areas_of(conn, params)
    areas.update(extra)
    hide_shards(conn, areas)


def areas_of(conn: psycopg.Connection, params: dict[str, Any]) -> dict[str, tuple[dict[str, Any], ...]]:
    if not has_citus(conn):
        return {}
    out: dict[str, tuple[dict[str, Any], ...]] = {}
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        for area, query in AREAS.items():
            cur.execute(query, {"exclude": params.get("exclude", [])})  # type: ignore[arg-type]
            rows = [dict(r) for r in cur.fetchall()]
            for r in rows:
                if r.get("members") is not None:
                    r["members"] = [str(m) for m in r["members"]]
            out[area] = tuple(sorted(rows, key=lambda r: (str(r["schema"]), str(r["name"]))))
    return out
