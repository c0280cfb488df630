"""A planned statement: its SQL, parsed once where it is made, and what that parse tree says it is.

Everything downstream — ordering, the online rewrite, hazards, grouping, the scratch and dry-run forms,
apply's batching — reads the tree the step carries instead of parsing the SQL again (a plan has
thousands of statements). A plan file's steps are parsed once when the file is read.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from enum import StrEnum

import pglast
from pglast import ast

from flatrender_schema.citus import hazard as citus_hazard
from flatrender_schema.hazards import Hazard
from flatrender_schema.plan_objects import object_of
from flatrender_schema.sqlnorm import deparse


class Phase(StrEnum):
    PRE = "pre"  # before the transaction, on its own and idempotent (ALTER TYPE ... ADD VALUE IF NOT EXISTS)
    MAIN = "main"  # in the plan's one transaction
    POST = "post"  # after it, each on its own and idempotent (CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT)


@dataclass(frozen=True)
class Step:
    sql: str
    action: str  # create / alter / drop / grant / revoke / insert
    object: str  # the object it acts on, by its own name: content.blog_posts.tenant_id
    source: str  # "engine" or the gap-layer concern that produced it
    phase: Phase = Phase.MAIN
    hazards: tuple[Hazard, ...] = ()
    # The parsed statements (usually one); empty when the SQL does not parse. Not part of equality:
    # the SQL is. `parsed_sql` is the text they were parsed from: a copy made with another SQL
    # (dataclasses.replace) is parsed again rather than keep a stale tree.
    trees: tuple[ast.Node, ...] = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    parsed_sql: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "phase", Phase(self.phase))
        if self.trees is None or (self.parsed_sql is not self.sql and self.parsed_sql != self.sql):
            object.__setattr__(self, "trees", parse(self.sql))  # made by hand (a test, a plan file): parsed here
        object.__setattr__(self, "parsed_sql", self.sql)

    @classmethod
    def parse(cls, sql: str, source: str, phase: Phase | str = Phase.MAIN) -> Step:
        """A step from its SQL: parsed here, once."""
        return cls.of_trees(sql, parse(sql), source, phase)

    @classmethod
    def of_tree(cls, node: ast.Node, source: str, phase: Phase | str = Phase.MAIN) -> Step:
        """A step from a statement tree (a rewritten one): its SQL is the tree printed, not parsed again."""
        return cls.of_trees(deparse(node) + ";", (node,), source, phase)

    @classmethod
    def of_trees(cls, sql: str, trees: tuple[ast.Node, ...], source: str, phase: Phase | str = Phase.MAIN) -> Step:
        action, obj = _describe(trees[0]) if trees else ("alter", "")
        return cls(sql, action, obj or citus_hazard.object_of(sql), source, Phase(phase), (), trees, sql)

    @property
    def tree(self) -> ast.Node | None:
        """The statement, when the step is exactly one."""
        return self.trees[0] if len(self.trees) == 1 else None

    @property
    def title(self) -> str:
        """What a reviewer reads for it: `create identity.users`."""
        return f"{self.action} {self.object}".rstrip()

    @property
    def transactional(self) -> bool:
        return self.phase == Phase.MAIN

    @property
    def hazard_codes(self) -> tuple[str, ...]:
        return tuple(h.code for h in self.hazards)

    def with_hazards(self, hazards: tuple[Hazard, ...]) -> Step:
        return replace(self, hazards=hazards)

    def moved(self, phase: Phase) -> Step:
        return replace(self, phase=phase)

    @property
    def runs_alone(self) -> bool:
        """Must not share a transaction: transaction control, VACUUM, the CONCURRENTLY forms, ..."""
        return self.plain_runs_alone or any(_concurrent(t) for t in self.trees)

    @property
    def plain_runs_alone(self) -> bool:
        """Must not share a transaction even in its plain form (transaction control, VACUUM, ...)."""
        return any(isinstance(t, _ALONE_NODES) for t in self.trees)

    @property
    def plain_sql(self) -> str:
        """The SQL without CONCURRENTLY (scratch databases and a dry run hold no rows and no other
        sessions, and may be inside a transaction): the same statement, built plainly."""
        if not any(_concurrent(t) for t in self.trees):
            return self.sql
        return ";\n".join(deparse(_without_concurrently(t)) for t in self.trees) + ";"

    @property
    def concurrent_index(self) -> tuple[str, str] | None:
        """(schema, index) of a CREATE INDEX CONCURRENTLY: a failed one leaves an invalid index behind."""
        node = self.tree
        if isinstance(node, ast.IndexStmt) and node.concurrent and node.idxname and node.relation:
            return node.relation.schemaname or "public", node.idxname
        return None


def parse(sql: str) -> tuple[ast.Node, ...]:
    try:
        return tuple(raw.stmt for raw in pglast.parse_sql(sql))
    except pglast.parser.ParseError:
        return ()


def _describe(node: ast.Node) -> tuple[str, str]:
    """(action, object) for display: create/alter/drop/grant/revoke/insert and the object's name."""
    name = type(node).__name__
    if isinstance(node, ast.DropStmt) or name.startswith("Drop"):
        action = "drop"
    elif name.startswith("Create") or isinstance(node, ast.IndexStmt | ast.ViewStmt | ast.CompositeTypeStmt):
        action = "create"
    elif isinstance(node, ast.GrantStmt):
        action = "grant" if node.is_grant else "revoke"
    elif isinstance(node, ast.InsertStmt):
        action = "insert"
    else:
        action = "alter"
    return action, object_of(node).name


_ALONE_NODES = (ast.TransactionStmt, ast.VacuumStmt, ast.CreatedbStmt, ast.DropdbStmt, ast.AlterSystemStmt,
                ast.CheckPointStmt, ast.ClusterStmt, ast.ReindexStmt)


def _concurrent(node: ast.Node) -> bool:
    if isinstance(node, ast.IndexStmt | ast.DropStmt | ast.RefreshMatViewStmt):
        return bool(node.concurrent)
    if isinstance(node, ast.ReindexStmt):
        return any(isinstance(p, ast.DefElem) and p.defname == "concurrently" for p in node.params or ())
    if isinstance(node, ast.AlterTableStmt):  # DETACH PARTITION ... CONCURRENTLY
        return any(isinstance(c.def_, ast.PartitionCmd) and c.def_.concurrent for c in node.cmds or ())
    return False


def _without_concurrently(node: ast.Node) -> ast.Node:
    plain = copy.deepcopy(node)
    if isinstance(plain, ast.ReindexStmt):
        kept = tuple(p for p in plain.params or () if not (isinstance(p, ast.DefElem) and p.defname == "concurrently"))
        plain.params = kept or None
    elif isinstance(plain, ast.AlterTableStmt):
        for c in plain.cmds or ():
            if isinstance(c.def_, ast.PartitionCmd):
                c.def_.concurrent = False
    else:
        plain.concurrent = False
    return plain
