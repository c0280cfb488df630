from psycopg import sql

from flatrender_schema.catalog.area import Area, not_extension_member


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "event trigger", sql.Identifier(row["name"])


AREA = Area(
    name="event_triggers",
    kind="event trigger",
    query=f"""
        select e.evtname as name, e.evtevent as event, e.evtfoid::regprocedure::text as function,
               e.evtenabled as enabled, e.evttags::text[] as tags, pg_get_userbyid(e.evtowner) as owner,
               obj_description(e.oid, 'pg_event_trigger') as comment
        from pg_event_trigger e where {not_extension_member("pg_event_trigger", "e.oid")}""",
    key=("name",),
    scoped=False,
    comment_on=_named,
    owner_on=_named,
)
