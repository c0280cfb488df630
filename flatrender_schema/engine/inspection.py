"""Shared by both engines: filtering inspected objects by scope, and splitting engine output."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from typing import Any

import pglast
import psycopg

from flatrender_schema.engine.interface import Scope
from flatrender_schema.focus import Focus, in_focus
from flatrender_schema.sqlnorm import canonical_check


def _inspected_kinds() -> list[str]:
    """The engine model's attributes holding objects, as the catalog areas name them (plus the
    engine's own list of privileges, which the judge keeps in each object's ACL)."""
    from flatrender_schema.catalog import AREAS

    return [kind for area in AREAS.values() for kind in area.engine_kinds] + ["privileges"]


INSPECTED_KINDS = _inspected_kinds()


def _schema_and_name(obj: Any) -> tuple[str, str]:
    schema = getattr(obj, "schema", None) or getattr(obj, "schema_name", None) or ""
    name = getattr(obj, "name", None) or getattr(obj, "schema", "") or ""
    return str(schema), str(name)


def _named(kind: str, obj: Any, schema: str, name: str, only: Focus) -> bool:
    if kind == "schemas":
        return (schema, "") in only
    table = getattr(obj, "table_name", None)
    return in_focus(only, schema, name, str(table) if table else None)


def scoped(inspector: Any, scope: Scope) -> Any:
    """A shallow copy of an inspector (either engine's) without the out-of-scope objects; the
    original is left as it was, so one inspection serves several diffs."""
    out = copy.copy(inspector)
    for kind in INSPECTED_KINDS:
        objects = getattr(inspector, kind, None)
        if not isinstance(objects, dict):
            continue
        kept = type(objects)()
        for key, obj in objects.items():
            schema, name = _schema_and_name(obj)
            if kind != "extensions":  # database-wide, whatever schema holds their objects
                if schema in scope.exclude_schemas:
                    continue
                if scope.only is not None and not _named(kind, obj, schema, name, scope.only):
                    continue
                if scope.keep is not None and not scope.keep(kind, schema, name):
                    continue
            kept[key] = obj
        setattr(out, kind, kept)
    return out


@contextlib.contextmanager
def prepared_pair(source: Any, target: Any, scope: Scope) -> Iterator[tuple[Any, Any, list[str]]]:
    """Scoped copies of two inspections, corrected for what the engines get wrong, and the enum
    additions to run before the engine's statements.

    The corrections change shared objects (a table's column refers to the very enum object), so they
    are undone on exit: one inspection serves several diffs."""
    before, after = scoped(source, scope), scoped(target, scope)
    saved = [(e, e.elements) for e in before.enums.values()]
    saved += [(e, e.elements) for e in after.enums.values()]
    definitions = [(c, c.definition) for c in before.constraints.values()]
    # migra's inspection has no options on its selectables: nothing to align there
    options = [(m, m.options) for m in before.materialized_views.values() if hasattr(m, "options")]
    try:
        align_equivalent_checks(before, after)
        align_materialized_view_options(before, after)
        additions = enum_additions(before, after)
        escape_enum_labels(before)
        escape_enum_labels(after)
        yield before, after, additions
    finally:
        for enum, elements in saved:
            enum.elements = elements
        for constraint, definition in definitions:
            constraint.definition = definition
        for view, value in options:
            view.options = value


def split_statements(sql: str) -> list[str]:
    """Engine output as one statement per item (the engines emit blank-line separated blocks).

    Split by the parser, which knows a `BEGIN ATOMIC ... END` body's semicolons are inside it; by the
    scanner only if the parser refuses the text (a statement of a newer server's grammar)."""
    if not sql.strip():
        return []
    try:
        pieces = pglast.split(sql, with_parser=True)
    except pglast.parser.ParseError:
        pieces = pglast.split(sql, with_parser=False)
    return [s.strip() for s in pieces if s.strip()]


def enum_additions(source: Any, target: Any) -> list[str]:
    """Values appended or inserted into an existing enum: ADD VALUE, instead of the engines' drop and
    re-create of the type (which rewrites every table using it). The source is then made to agree."""
    from psycopg import sql

    out: list[str] = []
    for key, want in target.enums.items():
        have = source.enums.get(key)
        if have is None:
            continue
        old, new = list(have.elements), list(want.elements)
        if old == new or [v for v in new if v in old] != old:
            continue  # unchanged, or values removed or reordered: left to the engine
        name = sql.SQL("{}.{}").format(sql.Identifier(want.schema), sql.Identifier(want.name))
        for i, value in enumerate(new):
            if value in old:
                continue
            if i > 0:
                where = sql.SQL("after {}").format(sql.Literal(new[i - 1]))
            else:
                where = sql.SQL("before {}").format(sql.Literal(new[1]))
            out.append(sql.SQL("alter type {} add value {} {};").format(name, sql.Literal(value), where)
                       .as_string(None))
        have.elements = new
    return out


class _Label(str):
    """An enum label that formats itself escaped: both engines write labels as `'{}'.format(label)`."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return format(str.replace(self, "'", "''"), spec)


def escape_enum_labels(inspector: Any) -> None:
    """Labels with a quote (`it's`) would otherwise be emitted unescaped and break the statement."""
    for enum in inspector.enums.values():
        enum.elements = [_Label(e) for e in enum.elements]


def drop_domain_enums(inspector: Any) -> None:
    """A domain over an enum is read as an enum of no labels too, which the engines would create;
    domains are the gap layer's (gaps/domains.py)."""
    domains = {(d.schema, d.name) for d in getattr(inspector, "domains", {}).values()}
    if not domains:
        return
    kept = {k: e for k, e in inspector.enums.items() if (e.schema, e.name) not in domains}
    inspector.enums.clear()
    inspector.enums.update(kept)


def drop_attached_indexes(inspector: Any) -> None:
    """Indexes attached to a partitioned parent index come with it; both engines would re-create them."""
    kept = {k: v for k, v in inspector.indexes.items() if not getattr(v, "parent_index", None)}
    inspector.indexes.clear()
    inspector.indexes.update(kept)


def align_equivalent_checks(source: Any, target: Any) -> None:
    """CHECK constraints that differ only in AND/OR nesting are the same constraint: no drop and re-add."""
    for key, want in target.constraints.items():
        have = source.constraints.get(key)
        if have is None or have.definition == want.definition:
            continue
        if canonical_check(have.definition) == canonical_check(want.definition):
            have.definition = want.definition


def align_materialized_view_options(source: Any, target: Any) -> None:
    """A materialized view's storage options are set in place (gaps/storage.py): the engine would drop
    and recreate it (emptying it) for them, and its CREATE leaves them out anyway."""
    for key, want in target.materialized_views.items():
        have = source.materialized_views.get(key)
        if have is not None and hasattr(have, "options") and hasattr(want, "options"):
            have.options = want.options


def readd_with_own_index(statements: list[str], source: Any, target: Any) -> list[str]:
    """A UNIQUE or PRIMARY KEY constraint that changes while the engine finds its index unchanged (made
    INITIALLY DEFERRED, say): the engines drop the constraint, which drops its index, then re-add it
    `USING INDEX` of that index, which no longer exists. The index is built again first, as the
    target defines it (pg_get_constraintdef leaves out its storage options)."""
    before_add: dict[str, str] = {}
    for key, want in target.constraints.items():
        have = source.constraints.get(key)
        new_index, old_index = getattr(want, "index", None), getattr(have, "index", None)
        if have is None or new_index is None or old_index is None or have == want or old_index != new_index:
            continue
        before_add[want.create_statement.strip()] = new_index.create_statement
    if not before_add:
        return statements
    out: list[str] = []
    for statement in statements:
        if statement in before_add:
            out.append(before_add[statement])
        out.append(statement)
    return out


def fill_collation_locales(inspector: Any, conn: psycopg.Connection) -> None:
    """Both engines read an ICU collation's locale from collcollate, which PostgreSQL 15+ leaves empty: the
    engine then writes `locale 'None'`. The locale lives in colliculocale (15, 16) or colllocale (17+)."""
    missing = [c for c in inspector.collations.values() if not getattr(c, "locale", None)]
    if not missing:
        return
    column = "colllocale" if conn.info.server_version >= 170000 else "colliculocale"
    rows = conn.execute(
        f"select n.nspname, c.collname, coalesce(c.{column}, c.collcollate) from pg_collation c "
        "join pg_namespace n on n.oid = c.collnamespace"
    ).fetchall()
    found = {(schema, name): locale for schema, name, locale in rows}
    for collation in missing:
        locale = found.get((collation.schema, collation.name))
        if not locale:
            continue
        if isinstance(getattr(type(collation), "locale", None), property):
            collation.lc_collate = locale  # PyPI schemainspect derives `locale` from lc_collate
        else:
            collation.locale = locale
