from psycopg import sql

from flatrender_schema.catalog.area import SYSTEM_SCHEMA_FILTER, Area


def _comment_on(row: dict) -> tuple[str, sql.Composable]:
    return "rule", sql.SQL("{} on {}").format(sql.Identifier(row["name"]), sql.Identifier(row["schema"], row["table"]))


AREA = Area(
    name="rules",
    kind="rule",
    # A view's _RETURN rule is the view's definition (relations).
    query=f"""
        select n.nspname as schema, c.relname as table, r.rulename as name,
               pg_get_ruledef(r.oid) as definition, r.ev_enabled as enabled,
               obj_description(r.oid, 'pg_rewrite') as comment
        from pg_rewrite r join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace
        where r.rulename <> '_RETURN' and {SYSTEM_SCHEMA_FILTER}""",
    key=("schema", "table", "name"),
    parent="table",
    comment_on=_comment_on,
)
