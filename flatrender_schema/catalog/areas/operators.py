from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "operator", sql.SQL("{}.{} ({}, {})").format(
        sql.Identifier(row["schema"]), sql.SQL(row["name"]), sql.SQL(row["left"] or "none"), sql.SQL(row["right"])
    )


AREA = Area(
    name="operators",
    kind="operator",
    query=f"""
        select n.nspname as schema, o.oprname as name, format_type(nullif(o.oprleft, 0), null) as left,
               format_type(o.oprright, null) as right, format_type(o.oprresult, null) as result,
               o.oprcode::regprocedure::text as function, nullif(o.oprcom, 0)::regoperator::text as commutator,
               nullif(o.oprnegate, 0)::regoperator::text as negator,
               nullif(o.oprrest, 0)::regprocedure::text as restrict, nullif(o.oprjoin, 0)::regprocedure::text as join,
               o.oprcanhash as hashes, o.oprcanmerge as merges,
               pg_get_userbyid(o.oprowner) as owner, obj_description(o.oid, 'pg_operator') as comment
        from pg_operator o join pg_namespace n on n.oid = o.oprnamespace
        where {SYSTEM_SCHEMA_FILTER} and {not_extension_member("pg_operator", "o.oid")}""",
    key=("schema", "name", "left", "right"),
    comment_on=_named,
    owner_on=_named,
)
