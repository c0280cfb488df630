"""What the manifests declare, as SQL for the shadow database: schemas, extensions, grants, partitions.

Everything here is composed with psycopg's `sql` module: identifiers and literals are quoted by the
library, never by string formatting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import psycopg
from psycopg import sql

from flatrender_schema.desired import Desired

DML = sql.SQL("select, insert, update, delete")


@dataclass(frozen=True)
class MonthlyPartition:
    schema: str
    table: str
    name: str
    start: dt.date
    end: dt.date


def declared_roles(desired: Desired) -> tuple[str, ...]:
    if desired.project is None:
        return ()
    roles = [s.manifest.role for s in desired.services]
    if desired.project.owner:
        roles.insert(0, desired.project.owner)
    return tuple(roles)


def preamble(desired: Desired) -> list[sql.Composable]:
    """Before the service SQL: its schemas and the declared extensions."""
    if desired.project is None:
        return []
    out: list[sql.Composable] = []
    for ext in desired.project.extensions:
        stmt = sql.SQL("create extension if not exists {} with schema {}").format(
            sql.Identifier(ext.name), sql.Identifier(ext.schema_)
        )
        if ext.version:
            stmt = sql.SQL("{} version {}").format(stmt, sql.Literal(ext.version))
        out.append(stmt)
    for service in desired.services:
        out.append(sql.SQL("create schema if not exists {}").format(sql.Identifier(service.schema)))
    return out


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    out, cur = [], start.replace(day=1)
    while cur <= end:
        out.append(cur)
        cur = (cur.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def next_month(d: dt.date) -> dt.date:
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def declared_partitions(desired: Desired, today: dt.date) -> list[MonthlyPartition]:
    """Monthly partitions from each declared initial month to `premake` months after today."""
    if desired.project is None:
        return []
    ahead = today.replace(day=1)
    for _ in range(desired.project.partition_policy.premake):
        ahead = next_month(ahead)
    out = []
    for service in desired.services:
        for table, spec in sorted(service.manifest.partitioned.items()):
            year, month = (int(p) for p in spec.initial.split("-"))
            for start in _months(dt.date(year, month, 1), ahead):
                name = f"{table}_{start:%Y_%m}"
                out.append(MonthlyPartition(service.schema, table, name, start, next_month(start)))
    return out


def partition_statement(p: MonthlyPartition) -> sql.Composable:
    return sql.SQL("create table if not exists {}.{} partition of {}.{} for values from ({}) to ({})").format(
        sql.Identifier(p.schema),
        sql.Identifier(p.name),
        sql.Identifier(p.schema),
        sql.Identifier(p.table),
        sql.Literal(f"{p.start.isoformat()} 00:00:00+00"),
        sql.Literal(f"{p.end.isoformat()} 00:00:00+00"),
    )


def epilogue(desired: Desired, today: dt.date) -> list[sql.Composable]:
    """After the service SQL: partitions ahead, then service-role grants and default privileges."""
    if desired.project is None:
        return []
    out: list[sql.Composable] = [partition_statement(p) for p in declared_partitions(desired, today)]
    owner = desired.project.owner
    for service in desired.services:
        schema, role = sql.Identifier(service.schema), sql.Identifier(service.manifest.role)
        out.append(sql.SQL("revoke all on schema {} from public").format(schema))
        out.append(sql.SQL("grant usage on schema {} to {}").format(schema, role))
        out.append(sql.SQL("grant {} on all tables in schema {} to {}").format(DML, schema, role))
        out.append(sql.SQL("grant usage, select on all sequences in schema {} to {}").format(schema, role))
        if owner:
            for_role = sql.SQL("alter default privileges for role {} in schema {}").format(
                sql.Identifier(owner), schema
            )
            out.append(sql.SQL("{} grant {} on tables to {}").format(for_role, DML, role))
            out.append(sql.SQL("{} grant usage, select on sequences to {}").format(for_role, role))
    for service in desired.services:
        for table in service.manifest.reads:
            schema_name, table_name = table.split(".")
            role = sql.Identifier(service.manifest.role)
            out.append(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema_name), role))
            out.append(
                sql.SQL("grant select on {}.{} to {}").format(
                    sql.Identifier(schema_name), sql.Identifier(table_name), role
                )
            )
    return out


OWNED_OBJECTS = """
    select 'table' as kind, format('%%I.%%I', n.nspname, c.relname) as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any(%(schemas)s) and c.relkind in ('r', 'p', 'v', 'm', 'f')
    union all
    select 'sequence', format('%%I.%%I', n.nspname, c.relname)
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any(%(schemas)s) and c.relkind = 'S'
       and not exists (select 1 from pg_depend d where d.objid = c.oid and d.classid = 'pg_class'::regclass
                       and d.deptype in ('a', 'i'))
    union all
    select case p.prokind when 'p' then 'procedure' else 'function' end, p.oid::regprocedure::text
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = any(%(schemas)s) and p.prokind in ('f', 'p', 'w')
    union all
    select case t.typtype when 'd' then 'domain' else 'type' end, format('%%I.%%I', n.nspname, t.typname)
      from pg_type t join pg_namespace n on n.oid = t.typnamespace
     where n.nspname = any(%(schemas)s) and t.typtype in ('e', 'd', 'r')
     order by 1, 2
"""


def ownership_statements(conn: psycopg.Connection, schemas: tuple[str, ...], owner: str) -> list[sql.Composable]:
    """Hand every object of the managed schemas to the owner role (for the shadow database)."""
    out: list[sql.Composable] = [
        sql.SQL("alter schema {} owner to {}").format(sql.Identifier(s), sql.Identifier(owner)) for s in schemas
    ]
    for kind, name in conn.execute(OWNED_OBJECTS, {"schemas": list(schemas)}).fetchall():
        keyword = {"table": "table"}.get(kind, kind)
        out.append(sql.SQL("alter {} {} owner to {}").format(sql.SQL(keyword), sql.SQL(name), sql.Identifier(owner)))
    return out


def bootstrap_statements(desired: Desired, dbname: str, deploy_user: str | None = None) -> list[sql.Composable]:
    """What a superuser runs once so that everything after runs as the owner role, never as superuser.

    Creates the declared roles (NOLOGIN; the pipeline grants LOGIN or membership), lets the owner create
    schemas and trusted extensions in the database, and optionally makes a deploy login a member of it.
    """
    if desired.project is None or not desired.project.owner:
        return []
    owner = sql.Identifier(desired.project.owner)
    out: list[sql.Composable] = []
    for role in declared_roles(desired):
        out.append(
            sql.SQL(
                "do $bootstrap$ begin if not exists (select 1 from pg_roles where rolname = {}) then "
                "create role {} nologin; end if; end $bootstrap$"
            ).format(sql.Literal(role), sql.Identifier(role))
        )
    out.append(sql.SQL("grant connect, create on database {} to {}").format(sql.Identifier(dbname), owner))
    if deploy_user:
        out.append(sql.SQL("grant {} to {}").format(owner, sql.Identifier(deploy_user)))
    return out
