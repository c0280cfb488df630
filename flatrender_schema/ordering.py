"""Dependency order for desired-state statements, so the shadow builds in batches without retries.

Service files are never hand-ordered (a table in billing.sql references one in tenants.sql), and a
statement that fails for a missing dependency costs as much as one that succeeds, and breaks its
batch. From each statement's parse tree (pglast's JSON, read with patterns: building Python trees
for 10,000 statements costs seconds) we take the name it creates and the names it mentions, and
order the statements topologically, keeping file order wherever a dependency does not force
otherwise. Anything this misses is still caught by the shadow's retries; it only costs time.

A plan's statements (`plan_order`) are already parsed into trees (`step.Step`): the same facts are
read from those trees, not from a second parse.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from pglast import ast, parser

from flatrender_schema.function_bodies import body_statements

if TYPE_CHECKING:
    from flatrender_schema.step import Step

_STR = r'\{"String":\{"sval":"((?:[^"\\]|\\.)*)"\}\}'
_NAME_LIST = re.compile(rf"\[{_STR}(?:,{_STR})?(?:,{_STR})?\]")
_RANGE_VAR = re.compile(r'(?:"schemaname":"((?:[^"\\]|\\.)*)",)?"relname":"((?:[^"\\]|\\.)*)"')
_KIND = re.compile(r'"stmt":\{"(\w+)"')
_SCHEMA_NAME = re.compile(r'"schemaname":"((?:[^"\\]|\\.)*)"')
# Statements whose first range variable is the relation they change: they keep their order per relation.
_ALTERS_RELATION = {"AlterTableStmt", "IndexStmt", "CreateTrigStmt", "RuleStmt", "CreatePolicyStmt"}
# Statements whose first range variable is the relation they create.
_CREATES_RELATION = {
    "CreateStmt", "ViewStmt", "CreateSeqStmt", "CreateTableAsStmt", "CompositeTypeStmt", "CreateForeignTableStmt",
}
# Statements whose first name list is the type or function they create.
_CREATES_NAMED = {"CreateEnumStmt", "CreateDomainStmt", "CreateRangeStmt", "CreateFunctionStmt", "DefineStmt"}


def _names(statement: str) -> tuple[str | None, set[str]]:
    """(the name `statement` creates or None, the qualified or bare names it mentions)."""
    _, created, mentions, _ = _parsed(statement)
    return created, mentions


Facts = tuple[str, str | None, set[str], str | None]  # kind, name created, names mentioned, relation altered


def _parsed(statement: str) -> Facts:
    """The facts of desired-state SQL (split, not parsed), read from pglast's JSON with patterns."""
    try:
        tree = parser.parse_sql_json(statement)
    except parser.ParseError:
        return "", None, set(), None
    kind_match = _KIND.search(tree)
    kind = kind_match.group(1) if kind_match else ""
    relations = [f"{s}.{r}" if s else r for s, r in _RANGE_VAR.findall(tree)]
    lists = [tuple(p for p in found if p) for found in _NAME_LIST.findall(tree)]
    schema = _SCHEMA_NAME.search(tree) if kind == "CreateSchemaStmt" else None
    return _facts(kind, relations, lists, schema.group(1) if schema else None)


def _facts(kind: str, relations: list[str], lists: list[tuple[str, ...]], created: str | None = None) -> Facts:
    """The facts from a statement's kind, its range variables and name lists, in the parse tree's order;
    `created`: the name it creates when the caller read it directly (a schema, a materialized view)."""
    names = [n for n in map(_list_name, lists) if n]
    if created is None and kind in _CREATES_RELATION and relations:
        created = relations[0]
    elif created is None and kind in _CREATES_NAMED and names:
        created = names[0]
    target = relations[0] if kind in _ALTERS_RELATION and relations else None
    return kind, created, _mentions(relations, names, created), target


def _list_name(parts: tuple[str, ...]) -> str | None:
    """A name list as a name: schema.name (or schema.table of schema.table.column), or a bare name."""
    if len(parts) >= 2 and parts[0] != "pg_catalog":
        return f"{parts[0]}.{parts[1]}"
    return parts[0] if len(parts) == 1 else None


def _mentions(relations: list[str], names: list[str], created: str | None) -> set[str]:
    mentions = set(relations) | set(names)
    mentions |= {m.partition(".")[0] for m in mentions if "." in m}  # a qualified name needs its schema
    return mentions - {created}


def _tree_facts(trees: tuple[ast.Node, ...]) -> Facts:
    """The same facts of a planned statement, read from the tree it was parsed into once."""
    if not trees:
        return "", None, set(), None
    node = trees[0]
    relations: list[str] = []
    lists: list[tuple[str, ...]] = []
    for t in trees:
        _collect(t, relations, lists)
    created = None
    if isinstance(node, ast.CreateTableAsStmt) and node.into is not None:  # its query's tables come first
        created = _relation(node.into.rel)
    elif isinstance(node, ast.CreateSchemaStmt):
        created = node.schemaname
    return _facts(type(node).__name__, relations, lists, created)


def _relation(rv: ast.RangeVar) -> str:
    """A range variable as written: qualified only if it was."""
    return f"{rv.schemaname}.{rv.relname}" if rv.schemaname else str(rv.relname)


def _collect(node: object, relations: list[str], lists: list[tuple[str, ...]]) -> None:
    """Range variables and lists of one to three names, in the order pglast's JSON lists them."""
    if isinstance(node, ast.RangeVar):
        relations.append(_relation(node))
    elif isinstance(node, ast.Node):
        for attr in type(node).__slots__:
            value = getattr(node, attr)
            if isinstance(value, ast.Node | tuple):
                _collect(value, relations, lists)
    elif isinstance(node, tuple):
        if 1 <= len(node) <= 3 and all(isinstance(p, ast.String) for p in node):
            lists.append(tuple(str(p.sval) for p in node))
        for item in node:
            _collect(item, relations, lists)


# What a DROP or a RENAME mentions is the object as it was: the statement creating one of that name
# is its successor, not its dependency.
_ABOUT_THE_OLD = {"DropStmt", "RenameStmt"}


def plan_order(statements: Sequence[Step], after: Mapping[int, set[int]] | None = None) -> list[int]:
    """A plan's statements with each CREATE before the statements using what it creates (a function
    before the column default calling it, a domain after the function its CHECK calls); otherwise in
    the order given. `after[i]`: statements i must also follow (what the catalogs know and a parse
    tree does not: a DROP after the drops of its dependents). Where no such order exists, the order given."""
    edges: list[tuple[str | None, set[str]]] = []
    bodies: list[set[str]] = []
    last_on: dict[str, int] = {}  # statements changing one relation keep their order (ADD, then VALIDATE)
    for i, (kind, created, mentions, target) in enumerate(_tree_facts(s.trees) for s in statements):
        needs = set() if kind in _ABOUT_THE_OLD else set(mentions)
        needs |= {f"#{j}" for j in (after or {}).get(i, ())}
        if target is not None:
            if target in last_on:
                needs.add(f"#{last_on[target]}")
            last_on[target] = i
        edges.append((created, needs))
        # What a function body calls or reads: no catalog records it, and a statement evaluating the
        # function on live's rows (ADD COLUMN ... DEFAULT f(), a CHECK validated) needs it to exist.
        bodies.append(_body_mentions(statements[i], created) if kind == "CreateFunctionStmt" else set())
    # A statement is also the creator of its own position, which a later one on its relation needs.
    with_bodies = [(created, needs | body) for (created, needs), body in zip(edges, bodies, strict=True)]
    broken: list[int] = []
    order = _topological(with_bodies, positions=True, broken=broken)
    if broken and any(bodies):
        # Bodies calling each other (recursion across functions) make a cycle: order without them.
        without: list[int] = []
        plain = _topological(edges, positions=True, broken=without)
        if not without:
            order = plain
    return order


def _body_mentions(step: Step, created: str | None) -> set[str]:
    """The names the body of a CREATE FUNCTION mentions (not its own name: a recursive call)."""
    names: set[str] = set()
    for text in body_statements(step.sql, step.tree):
        names |= _parsed(text)[2]
    return names - {created, (created or "").rpartition(".")[2]}


def dependency_order(statements: Sequence[str]) -> list[int]:
    """Indexes of `statements` in an order where each comes after the statements creating what it
    mentions, otherwise in file order (cycles are left in file order)."""
    parsed = [_names(s) for s in statements]
    order = _topological(parsed)
    placed = set(order)
    return order + [i for i in range(len(statements)) if i not in placed]


def _topological(
    parsed: Sequence[tuple[str | None, set[str]]], positions: bool = False, broken: list[int] | None = None
) -> list[int]:
    """Indexes in an order where each comes after the creators of what it mentions, else in the
    given order; those on a cycle are left out (the caller decides). With `positions`, `#i` names
    statement i itself. With `broken`, a cycle is broken instead: the first statement on it (in the
    given order) goes next, the rest stays ordered, and its index is appended to `broken`. A cycle
    is mostly a false edge (a bare name read as a relation: a parameter `v` and a view `v`)."""
    creators: dict[str, list[int]] = {f"#{i}": [i] for i in range(len(parsed))} if positions else {}
    for i, (created, _) in enumerate(parsed):
        if created:
            creators.setdefault(created, []).append(i)
            bare = created.rpartition(".")[2]
            if bare != created:
                creators.setdefault(bare, []).append(i)
    after: list[list[int]] = [[] for _ in parsed]
    waiting = [0] * len(parsed)
    for i, (_, mentions) in enumerate(parsed):
        needs = set()
        for name in mentions:
            found = creators.get(name)
            if found is None and "." in name:
                found = creators.get(name.rpartition(".")[2])
            for j in found or ():
                if j != i:
                    needs.add(j)
        for j in needs:
            after[j].append(i)
        waiting[i] = len(needs)
    ready = [i for i, n in enumerate(waiting) if n == 0]
    heapq.heapify(ready)
    order: list[int] = []
    placed = [False] * len(parsed)
    while True:
        while ready:
            i = heapq.heappop(ready)
            placed[i] = True
            order.append(i)
            for k in after[i]:
                waiting[k] -= 1
                if waiting[k] == 0:
                    heapq.heappush(ready, k)
        if broken is None or len(order) == len(parsed):
            return order
        forced = placed.index(False)
        broken.append(forced)
        waiting[forced] = 0
        heapq.heappush(ready, forced)
