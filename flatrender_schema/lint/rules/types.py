"""TY1xx: column types a reviewer of FlatRender DDL would send back."""

from __future__ import annotations

from pglast import ast

from flatrender_schema.errors import Location
from flatrender_schema.lint.finding import Severity
from flatrender_schema.lint.registry import rule
from flatrender_schema.lint.walk import Check, Site


def _column_type(node: ast.TypeName, site: Site) -> str | None:
    """The type's own name when it types a column or domain (not a cast in an expression)."""
    parent = site.parents[-1] if site.parents else None
    if not isinstance(parent, (ast.ColumnDef, ast.CreateDomainStmt)) or not node.names:
        return None
    last = node.names[-1]
    return last.sval.lower() if isinstance(last, ast.String) else None


class _ColumnTypes:
    """The one visitor of every TY check: each column type's name is read once, and the types some
    check names are kept for the checks to report in `finish` (five checks visiting every TypeName
    cost five calls per node). It holds no check: a cycle through the catalog would keep every tree
    alive until the cycle collector runs, which a lint process does not."""

    def __init__(self) -> None:
        self.names: set[str] = set()  # the type names some check looks for
        self.found: list[tuple[str, ast.TypeName, Location]] = []

    def visit_TypeName(self, node: ast.TypeName, site: Site) -> None:
        name = _column_type(node, site)
        if name is not None and name in self.names:
            self.found.append((name, node, site.location(node)))


class _TypeCheck(Check):
    names: frozenset[str] = frozenset()
    message = ""

    def visitors(self) -> tuple[object, ...]:
        shared = self.catalog.shared.get("types")
        if not isinstance(shared, _ColumnTypes):
            shared = self.catalog.shared["types"] = _ColumnTypes()
        shared.names.update(self.names)
        return (shared,)

    def finish(self) -> None:
        shared = self.catalog.shared.get("types")
        if not isinstance(shared, _ColumnTypes):
            return
        for name, node, location in shared.found:
            if name in self.names and self.applies(node):
                self.report(location, self.message.format(name=name))

    def applies(self, node: ast.TypeName) -> bool:
        return True


@rule("TY101", "timestamp-without-time-zone", Severity.WARNING,
      "use timestamptz, not timestamp (without time zone)", needs_manifest=False)
class TimestampWithoutTimeZone(_TypeCheck):
    """`timestamp` stores a wall-clock reading without its zone: the same instant reads differently
    per session time zone and comparisons across services break. FlatRender stores instants as
    `timestamptz`."""

    names = frozenset({"timestamp"})
    message = "timestamp without time zone; use timestamptz"


@rule("TY102", "serial", Severity.WARNING,
      "use `bigint GENERATED ALWAYS AS IDENTITY` or `uuid DEFAULT gen_random_uuid()`, not serial",
      needs_manifest=False)
class Serial(_TypeCheck):
    """`serial`/`bigserial`/`smallserial` create a separately owned sequence with loose permissions
    and odd dump/restore behaviour; identity columns are the SQL-standard replacement, and uuids
    are FlatRender's default key."""

    names = frozenset({"serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"})
    message = "{name} column; use bigint GENERATED ALWAYS AS IDENTITY or uuid DEFAULT gen_random_uuid()"


@rule("TY103", "money", Severity.WARNING,
      "use numeric(12,2) plus a currency column, not money", needs_manifest=False)
class Money(_TypeCheck):
    """`money` formats by the server's `lc_monetary`, has a fixed fraction and no currency: amounts
    are `numeric(12,2)` beside a `currency char(3)`."""

    names = frozenset({"money"})
    message = "money column; use numeric(12,2) with a currency char(3) column"


@rule("TY104", "varchar-length", Severity.WARNING,
      "use text with a CHECK (char_length(...) <= n), not varchar(n)", needs_manifest=False)
class VarcharLength(_TypeCheck):
    """`varchar(n)` turns a business rule into a type: changing the limit is a type change (and
    with some changes a rewrite). `text` with a named `CHECK (char_length(col) <= n)` says the same
    and changes cheaply. Plain `varchar` without a length is not reported."""

    names = frozenset({"varchar"})
    message = "varchar(n); use text with CHECK (char_length(...) <= n)"

    def applies(self, node: ast.TypeName) -> bool:
        return bool(node.typmods)


@rule("TY105", "json", Severity.WARNING, "use jsonb, not json", needs_manifest=False)
class Json(_TypeCheck):
    """`json` keeps the text as written: no indexing, no containment operators, re-parsed on every
    access. Use `jsonb` unless key order or duplicate keys must be kept (then suppress with a
    reason)."""

    names = frozenset({"json"})
    message = "json column; use jsonb"
