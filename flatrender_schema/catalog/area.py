"""One descriptor per catalog area: the single place where the tool knows an object kind.

An `Area` says how the judge reads a kind (its query), how one of its rows is identified (key, parent),
and how the gap layer names one in COMMENT ON, ALTER ... OWNER TO and GRANT. The snapshot, the focus of
a narrowed plan, plan scopes, the gap layer's object lists and the engine seam all read these
descriptors; a new kind is one new module under `catalog/areas/` defining `AREA`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from psycopg import sql

Row = dict[str, Any]
# How a row is named in a statement: (keyword, name), e.g. ("trigger", `t on public.x`).
Namer = Callable[[Row], tuple[str, sql.Composable]]

SYSTEM_SCHEMA_FILTER = """
    n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    and n.nspname not like 'pg\\_temp\\_%%' and n.nspname not like 'pg\\_toast\\_temp\\_%%'
    and n.nspname <> all(%(exclude)s::text[])
"""

# Objects that belong to an extension are the extension's business, not the schema's.
NOT_EXTENSION_MEMBER = """
    not exists (select 1 from pg_depend ext where ext.classid = {cls}::regclass and ext.objid = {oid}
                and ext.deptype = 'e')
"""

# Database-wide objects a user made (the built-in ones have oids below FirstNormalObjectId).
USER_OBJECT = "{oid} >= 16384"


def not_extension_member(cls: str, oid: str) -> str:
    return NOT_EXTENSION_MEMBER.format(cls=f"'{cls}'", oid=oid)


def qualified(schema: str, name: str) -> sql.Composable:
    return sql.Identifier(schema, name)


@dataclass(frozen=True)
class Area:
    """A catalog area: one kind of object (or part of one), as the judge reads it.

    `query` selects one row per object with `%(exclude)s` (schemas left out); its columns are the
    row's fields. It has no ORDER BY: the snapshot sorts the rows itself (the server's order depends
    on its collation), and asking the server for an order made it walk an index per schema instead of
    joining. `key` names the fields that identify a row across databases. An area whose rows
    live in a schema has a `schema` field; `parent` names the field holding the object a row is a
    part of (a table's column, a domain's constraint): the part goes with its parent in a focus and
    when a plan scope leaves the parent out. A database-wide area (`scoped=False`: extensions, casts,
    event triggers ...) is always read whole and kept by every scope.
    """

    name: str
    kind: str  # how a person calls one of its objects, in messages: "column", "trigger"
    query: str
    key: tuple[str, ...] = ("schema", "name")
    parent: str | None = None
    scoped: bool = True
    is_schema: bool = False  # the rows are schemas themselves (their `name` is the schema)
    comment_on: Namer | None = None  # for COMMENT ON (the row has a `comment` field)
    owner_on: Namer | None = None  # for ALTER ... OWNER TO (the row has an `owner` field)
    grant_on: Namer | None = None  # for GRANT ... ON (the row has an `acl` field)
    normalise: Callable[[Row], None] | None = None  # canonical spelling of a fetched row, in place
    # The engine seam: results' inspector attributes holding this kind, and its per-object queries
    # (a focused inspection narrows those on the server).
    engine_kinds: tuple[str, ...] = ()
    engine_queries: tuple[tuple[str, bool], ...] = ()  # (query, whether its rows carry `table_name`)

    def key_of(self, row: Row) -> tuple[str, ...]:
        return tuple(str(row.get(k)) for k in self.key)

    def label(self, row: Row) -> str:
        """The object as a person reads it: `public.t.id`, `trg on public.t`."""
        parts = [str(row[k]) for k in self.key if row.get(k) not in (None, "")]
        return ".".join(parts)

    def schema_of(self, row: Row) -> str:
        return str(row["name"] if self.is_schema else row.get("schema", ""))

    def object_of(self, row: Row) -> str:
        """The name a scope or a focus judges the row by: its parent's, else its own."""
        if self.is_schema:
            return ""
        return str(row[self.parent] if self.parent else row.get("name", ""))


AREAS: dict[str, Area] = {}


def register(area: Area) -> Area:
    if area.name in AREAS:
        raise ValueError(f"catalog area {area.name} registered twice")
    AREAS[area.name] = area
    return area
