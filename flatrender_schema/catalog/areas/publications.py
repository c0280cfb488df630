from psycopg import sql

from flatrender_schema.catalog.area import Area


def _named(row: dict) -> tuple[str, sql.Composable]:
    return "publication", sql.Identifier(row["name"])


AREA = Area(
    name="publications",
    kind="publication",
    query="""
        select p.pubname as name, p.puballtables as all_tables, p.pubinsert as insert, p.pubupdate as update,
               p.pubdelete as delete, p.pubtruncate as truncate, p.pubviaroot as via_root,
               (select array_agg(quote_ident(n.nspname) || '.' || quote_ident(c.relname)
                                 || coalesce(' (' || (select string_agg(quote_ident(a.attname), ', ' order by a.attnum)
                                                        from pg_attribute a where a.attrelid = r.prrelid
                                                         and a.attnum = any(r.prattrs)) || ')', '')
                                 || coalesce(' where ' || pg_get_expr(r.prqual, r.prrelid), '')
                                 order by n.nspname, c.relname)
                  from pg_publication_rel r join pg_class c on c.oid = r.prrelid
                  join pg_namespace n on n.oid = c.relnamespace where r.prpubid = p.oid) as tables,
               (select array_agg(n.nspname order by n.nspname) from pg_publication_namespace pn
                  join pg_namespace n on n.oid = pn.pnnspid where pn.pnpubid = p.oid) as schemas,
               pg_get_userbyid(p.pubowner) as owner, obj_description(p.oid, 'pg_publication') as comment
        from pg_publication p""",
    key=("name",),
    scoped=False,
    comment_on=_named,
    owner_on=_named,
)
