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
from operator import attrgetter
from typing import TYPE_CHECKING, ClassVar

from pglast import ast, enums

from flatrender_schema.errors import Location
from flatrender_schema.lint.finding import Finding

if TYPE_CHECKING:
    from flatrender_schema.lint.catalog import Catalog
    from flatrender_schema.lint.registry import Rule
    from flatrender_schema.lint.source import LintFile, LintSource, ParsedStatement


@dataclass(eq=False, slots=True)
class Site:
    """Where a visited node is: its file, its top-level statement and its ancestors (nearest last).

    Not frozen: one is made per visited node, and a frozen dataclass sets each field through
    `object.__setattr__`; nothing assigns to one after the walk made it."""

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

    def visitors(self) -> tuple[object, ...]:
        """Whose `visit_*` methods the walk calls for this check: itself, by default. Checks built on
        the same facts return the one collector they share (`Catalog.shared`), so the facts are
        gathered once; a check that has nothing to look at in this run returns none."""
        return (self,)

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


# Nodes that never hold anything but scalars and other leaves: visited, never descended into.
_LEAVES = frozenset({ast.A_Const, ast.String, ast.Integer, ast.Float, ast.Boolean, ast.BitString,
                     ast.ColumnRef, ast.ParamRef, ast.A_Star, ast.RoleSpec, ast.AccessPriv})


# Expressions that cannot hold what any rule looks for (no subqueries, no column types are
# allowed in CHECK constraints and column defaults): not descended into, and not even built (the
# source parses with `skip=UNREAD`). No rule may read them: tests/lint/test_parsing.py checks.
UNREAD = frozenset({"raw_expr", "cooked_expr", "raw_default", "cooked_default"})
_OPAQUE = UNREAD | {"location"}
# Slot types that never hold a node (pglast declares each slot's C type): not looked at.
_SCALAR_CTYPES = frozenset({"bool", "char", "char*", "ParseLoc", "int", "int16", "int32", "long", "uint32",
                            "uint64", "AclMode", "AttrNumber", "Index", "RelFileNumber", "SubTransactionId",
                            "bits32", "Cardinality", "Cost", "Bitmapset*"})

_CHILDREN: dict[type, Callable[[object], tuple[object, ...]] | None] = {}

# What the walk puts on its stack besides the leaves some check visits: tuples and every other node class.
_BRANCHES = frozenset({tuple} | {cls for cls in vars(ast).values() if isinstance(cls, type)
                                 and issubclass(cls, ast.Node) and cls not in _LEAVES})


def _may_hold_nodes(cls: type, name: str) -> bool:
    info = cls.__slots__[name]  # type: ignore[attr-defined]
    ctype = getattr(info, "c_type", None)
    return ctype not in _SCALAR_CTYPES and not (isinstance(ctype, str) and hasattr(enums, ctype))


def _children_of(cls: type) -> Callable[[object], tuple[object, ...]] | None:
    """A getter of the slots of `cls` that may hold nodes, in slot order (None: nothing to descend into)."""
    if cls in _CHILDREN:
        return _CHILDREN[cls]
    slots = () if cls in _LEAVES else tuple(cls.__slots__)  # type: ignore[attr-defined]
    names = tuple(n for n in slots if n not in _OPAQUE and _may_hold_nodes(cls, n))
    getter = None
    if len(names) == 1:
        one = attrgetter(names[0])
        getter = lambda node: (one(node),)  # noqa: E731
    elif names:
        getter = attrgetter(*names)
    _CHILDREN[cls] = getter
    return getter


_EXIT = object()  # on the walk's stack: this node's children are done, it is no longer a parent


def walk_file(file: LintFile, table: dict[type[ast.Node], list[Visit]]) -> None:
    """Depth first, in source order, every node of every statement of `file`.

    One stack of what is still to visit (nodes, tuples of children, and `_EXIT` marks) and one list
    of the current node's ancestors: a visited node's `Site` copies that list, nothing else does.
    Only what can matter goes on the stack: tuples, nodes that may hold nodes, and leaves some
    check visits (a name's `String`s, without a visitor, are passed over where they are found)."""
    exit_mark = _EXIT
    walkable = _BRANCHES | (_LEAVES & table.keys())
    methods_of = table.get
    getters = _CHILDREN.get
    for statement in file.statements:
        parents: list[ast.Node] = []
        stack: list[object] = [statement.node]
        pop, push, enter, leave = stack.pop, stack.append, parents.append, parents.pop
        while stack:
            item = pop()
            cls = type(item)
            if cls is tuple:
                for child in reversed(item):  # type: ignore[call-overload]
                    if type(child) in walkable:
                        push(child)
                continue
            if item is exit_mark:
                leave()
                continue
            methods = methods_of(cls)
            if methods:
                site = Site(file, statement, tuple(parents))
                for method in methods:
                    method(item, site)  # type: ignore[arg-type]
            children = getters(cls, exit_mark)
            if children is exit_mark:
                children = _children_of(cls)
            if children is None:
                continue
            enter(item)  # type: ignore[arg-type]
            push(exit_mark)
            for child in reversed(children(item)):  # type: ignore[operator]
                if type(child) in walkable:
                    push(child)
