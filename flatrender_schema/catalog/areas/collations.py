from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "collation", qualified(row["schema"], row["name"])


AREA = Area(
    name="collations",
    kind="collation",
    # An ICU locale lives in colliculocale (15, 16) or colllocale (17+): read through to_jsonb, either.
    query=f"""
        select n.nspname as schema, c.collname as name, c.collprovider as provider,
               c.collcollate as collate, c.collctype as ctype, c.collisdeterministic as deterministic,
               coalesce(to_jsonb(c) ->> 'colllocale', to_jsonb(c) ->> 'colliculocale') as locale,
               to_jsonb(c) ->> 'collicurules' as rules,
               pg_get_userbyid(c.collowner) as owner, obj_description(c.oid, 'pg_collation') as comment
        from pg_collation c join pg_namespace n on n.oid = c.collnamespace
        where {SYSTEM_SCHEMA_FILTER} and {not_extension_member("pg_collation", "c.oid")}""",
    comment_on=_named,
    owner_on=_named,
    engine_kinds=("collations",),
)
