"""The one walk over every statement's AST, dispatching nodes to the rules' visitor methods.

A rule is a `Check` with `visit_<NodeClass>(node, site)` methods, named after `pglast.ast` classes as
in `pglast.visitors.Visitor`. Instead of one breadth-first walk per rule, the engine walks each
statement once (depth first, in source order) and calls every active check's method for the node's
class, so adding a rule does not add a walk. Checks needing the whole desired state (every file of
every service) do that work in `finish()`, after the walk, usually through the `Catalog`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from pglast import ast

from flatrender_schema.errors import Location
from flatrender_schema.lint.finding import Finding

if TYPE_CHECKING:
    from flatrender_schema.lint.catalog import Catalog
    from flatrender_schema.lint.registry import Rule
    from flatrender_schema.lint.source import LintFile, LintSource, ParsedStatement


@dataclass(frozen=True, eq=False)
class Site:
    """Where a visited node is: its file, its top-level statement and its ancestors (nearest last)."""

    file: LintFile
    statement: ParsedStatement
    parents: tuple[ast.Node, ...]

    def location(self, node: ast.Node | None = None) -> Location:
        """The node's own place, or the statement's when the node carries none."""
        offset = getattr(node, "location", -1) if node is not None else -1
        if not isinstance(offset, int) or offset < 0:
            offset = self.statement.start
        return self.file.location(offset)

    def nearest(self, cls: type[ast.Node]) -> ast.Node | None:
        for parent in reversed(self.parents):
            if isinstance(parent, cls):
                return parent
        return None


class Check:
    """Base of every rule; subclasses are registered with `registry.rule`."""

    code: ClassVar[str] = ""

    def __init__(self, rule: Rule, source: LintSource, catalog: Catalog) -> None:
        self.rule = rule
        self.source = source
        self.catalog = catalog
        self.findings: list[Finding] = []

    def report(self, location: Location, message: str) -> None:
        self.findings.append(Finding(location, self.rule.code, self.rule.severity, message))

    def finish(self) -> None:
        """Called once after every statement was walked."""


Visit = Callable[[ast.Node, Site], None]


def dispatch_table(visitors: Iterable[object]) -> dict[type[ast.Node], list[Visit]]:
    table: dict[type[ast.Node], list[Visit]] = {}
    for visitor in visitors:
        for name in dir(type(visitor)):
            if name.startswith("visit_"):
                cls = getattr(ast, name[6:], None)
                if isinstance(cls, type) and issubclass(cls, ast.Node):
                    table.setdefault(cls, []).append(getattr(visitor, name))
    return table


_CHILDREN: dict[type, tuple[str, ...]] = {}
# Nodes that never hold anything but scalars and other leaves: visited, never descended into.
_LEAVES = frozenset({ast.A_Const, ast.String, ast.Integer, ast.Float, ast.Boolean, ast.BitString,
                     ast.ColumnRef, ast.ParamRef, ast.A_Star, ast.RoleSpec, ast.AccessPriv})


# Expressions that cannot hold what any rule looks for (no subqueries, no column types are
# allowed in CHECK constraints and column defaults): not descended into.
_OPAQUE = frozenset({"raw_expr", "cooked_expr", "raw_default", "cooked_default", "location"})


def _children_names(cls: type) -> tuple[str, ...]:
    names = _CHILDREN.get(cls)
    if names is None:
        slots = () if cls in _LEAVES else tuple(cls.__slots__)  # type: ignore[attr-defined]
        names = _CHILDREN[cls] = tuple(n for n in slots if n not in _OPAQUE)
    return names


def walk_file(file: LintFile, table: dict[type[ast.Node], list[Visit]]) -> None:
    """Depth first, in source order, every node of every statement of `file`."""
    node_type = ast.Node
    for statement in file.statements:
        # stack items: (node, parents) where node is an ast.Node or a tuple of children
        stack: list[tuple[object, tuple[ast.Node, ...]]] = [(statement.node, ())]
        while stack:
            item, parents = stack.pop()
            if isinstance(item, tuple):
                for child in reversed(item):
                    if isinstance(child, (node_type, tuple)):
                        stack.append((child, parents))
                continue
            assert isinstance(item, node_type)
            methods = table.get(type(item))
            if methods:
                site = Site(file, statement, parents)
                for method in methods:
                    method(item, site)
            below = (*parents, item)
            for name in reversed(_children_names(type(item))):
                child = getattr(item, name)
                if isinstance(child, (node_type, tuple)):
                    stack.append((child, below))
