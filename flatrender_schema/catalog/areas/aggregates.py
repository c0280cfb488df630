from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "aggregate", sql.SQL("{}({})").format(qualified(row["schema"], row["name"]), sql.SQL(row["args"] or "*"))


def _grant_on(row: dict) -> tuple[str, sql.Composable]:
    return "function", _named(row)[1]  # GRANT knows no AGGREGATE: an aggregate is granted as a function


AREA = Area(
    name="aggregates",
    kind="aggregate",
    query=f"""
        select n.nspname as schema, p.proname as name, pg_get_function_identity_arguments(p.oid) as args,
               a.aggkind as aggregate_kind, a.aggnumdirectargs as direct_args,
               a.aggtransfn::regprocedure::text as sfunc, format_type(a.aggtranstype, null) as stype,
               a.aggtransspace as sspace, nullif(a.aggfinalfn, 0)::regprocedure::text as finalfunc,
               a.aggfinalextra as finalfunc_extra, a.aggfinalmodify as finalfunc_modify,
               nullif(a.aggcombinefn, 0)::regprocedure::text as combinefunc,
               nullif(a.aggserialfn, 0)::regprocedure::text as serialfunc,
               nullif(a.aggdeserialfn, 0)::regprocedure::text as deserialfunc, a.agginitval as initcond,
               nullif(a.aggmtransfn, 0)::regprocedure::text as msfunc,
               nullif(a.aggminvtransfn, 0)::regprocedure::text as minvfunc,
               nullif(a.aggmtranstype, 0)::regtype::text as mstype, a.aggmtransspace as msspace,
               nullif(a.aggmfinalfn, 0)::regprocedure::text as mfinalfunc, a.aggmfinalextra as mfinalfunc_extra,
               a.aggmfinalmodify as mfinalfunc_modify, a.aggminitval as minitcond,
               nullif(a.aggsortop, 0)::regoperator::text as sortop, p.proparallel as parallel,
               pg_get_userbyid(p.proowner) as owner,
               coalesce(p.proacl, acldefault('f', p.proowner))::text[] as acl, obj_description(p.oid, 'pg_proc') as comment
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_aggregate a on a.aggfnoid = p.oid
        where {SYSTEM_SCHEMA_FILTER} and {not_extension_member("pg_proc", "p.oid")}""",
    key=("schema", "name", "args"),
    comment_on=_named,
    owner_on=_named,
    grant_on=_grant_on,
)
