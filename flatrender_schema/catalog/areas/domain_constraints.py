from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area, not_extension_member, qualified
from flatrender_schema.sqlnorm import canonical_check


def _comment_on(row: dict) -> tuple[str, sql.Composable]:
    return "constraint", sql.SQL("{} on domain {}").format(sql.Identifier(row["name"]), qualified(row["schema"], row["domain"]))


def _normalise(row: dict) -> None:
    row["definition"] = canonical_check(row["definition"])


AREA = Area(
    name="domain_constraints",
    kind="domain constraint",
    query=f"""
        select n.nspname as schema, t.typname as domain, k.conname as name,
               pg_get_constraintdef(k.oid) as definition, k.convalidated as validated,
               obj_description(k.oid, 'pg_constraint') as comment
        from pg_constraint k join pg_type t on t.oid = k.contypid join pg_namespace n on n.oid = t.typnamespace
        where {SYSTEM_SCHEMA_FILTER} and k.contype <> 'n'
          and {not_extension_member("pg_type", "t.oid")}""",
    key=("schema", "domain", "name"),
    parent="domain",
    comment_on=_comment_on,
    normalise=_normalise,
)
