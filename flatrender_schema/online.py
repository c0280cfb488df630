"""Rewrite lock-heavy statements on existing tables into their online forms.

- CREATE INDEX on an existing table -> CREATE INDEX CONCURRENTLY IF NOT EXISTS, after the transaction
  (not on partitioned tables, where PostgreSQL has no concurrent build: that stays an INDEX_BUILD hazard).
- ADD CONSTRAINT ... FOREIGN KEY / CHECK on an existing table -> added NOT VALID in the transaction, then
  VALIDATE CONSTRAINT after it (a weaker lock that does not block writes). Foreign keys on partitioned
  tables cannot be NOT VALID and stay as they are, flagged VALIDATION_SCAN.
- ADD CONSTRAINT ... USING INDEX of such an index -> after the transaction too, once the index exists.
- VALIDATE CONSTRAINT on an existing table -> after the transaction.
- ALTER TYPE ... ADD VALUE -> IF NOT EXISTS, before the transaction (a new value cannot be used in the
  transaction that adds it).
"""

from __future__ import annotations

import re

import pglast
from pglast import ast, enums
from psycopg import sql

from flatrender_schema.changes import Change
from flatrender_schema.hazards import LEADING_COMMENTS
from flatrender_schema.sqlnorm import deparse


def _table(rv: ast.RangeVar | None) -> str:
    return f"{rv.schemaname or 'public'}.{rv.relname}" if rv is not None else ""


# The statements with an online form: CREATE INDEX, ALTER TABLE, ALTER TYPE (after comments).
_MAY_GO_ONLINE = re.compile(
    LEADING_COMMENTS + r"(?:create\s+(?:unique\s+)?index|alter\s+(?:foreign\s+)?table|alter\s+type)\b",
    re.I | re.S,
)


def make_online(changes: list[Change], existing: set[str], partitioned: set[str]) -> list[Change]:
    """The same changes, rewritten and re-phased; execution order is pre, then main, then post."""
    pre: list[Change] = []
    main: list[Change] = []
    post: list[Change] = []
    concurrent_indexes: set[str] = set()
    referenced = _fk_targets(changes)
    for change in changes:
        if not _MAY_GO_ONLINE.match(change.sql):
            main.append(change)  # parsing is what costs here; most statements have no online form
            continue
        try:
            stmts = pglast.parse_sql(change.sql)
        except pglast.parser.ParseError:
            main.append(change)
            continue
        node = stmts[0].stmt if len(stmts) == 1 else None
        if isinstance(node, ast.IndexStmt):
            table = _table(node.relation)
            # A unique index that a foreign key in this plan may need stays in the transaction.
            needed = node.unique and table in referenced
            if table in existing and table not in partitioned and not node.concurrent and not needed:
                node.concurrent = True
                node.if_not_exists = True
                concurrent_indexes.add(node.idxname or "")
                post.append(Change(deparse(node) + ";", change.source, "post"))
                continue
        elif isinstance(node, ast.AlterEnumStmt) and node.newVal and not node.oldVal:
            node.skipIfNewValExists = True
            pre.append(Change(deparse(node) + ";", change.source, "pre"))
            continue
        elif isinstance(node, ast.AlterTableStmt) and len(node.cmds or ()) == 1:
            table = _table(node.relation)
            cmd = node.cmds[0]
            con = cmd.def_ if cmd.subtype == enums.AlterTableType.AT_AddConstraint else None
            if isinstance(con, ast.Constraint) and con.indexname and con.indexname in concurrent_indexes:
                # UNIQUE / PRIMARY KEY USING INDEX: attach once the concurrent build is done.
                post.append(Change(change.sql, change.source, "post"))
                continue
            if cmd.subtype == enums.AlterTableType.AT_ValidateConstraint and table in existing:
                post.append(Change(change.sql, change.source, "post"))
                continue
            if (
                isinstance(con, ast.Constraint)
                and table in existing
                and con.contype in (enums.ConstrType.CONSTR_FOREIGN, enums.ConstrType.CONSTR_CHECK)
                and not con.skip_validation
                and con.conname
                and not (con.contype == enums.ConstrType.CONSTR_FOREIGN and table in partitioned)
            ):
                con.skip_validation = True
                if con.contype == enums.ConstrType.CONSTR_CHECK:
                    con.initially_valid = False
                main.append(Change(deparse(node) + ";", change.source, "main"))
                schema, _, name = table.partition(".")
                post.append(Change(_validate(schema, name, con.conname), change.source, "post"))
                continue
        main.append(change)
    return pre + main + post


def _fk_targets(changes: list[Change]) -> set[str]:
    """Tables referenced by foreign keys anywhere in these changes."""
    out: set[str] = set()
    for change in changes:
        if "references" not in change.sql.lower():
            continue
        try:
            stmts = pglast.parse_sql(change.sql)
        except pglast.parser.ParseError:
            continue
        for raw in stmts:
            for node in _walk(raw.stmt):
                if isinstance(node, ast.Constraint) and node.contype == enums.ConstrType.CONSTR_FOREIGN:
                    out.add(_table(node.pktable))
    return out


def _walk(node: object) -> list[object]:
    from pglast.visitors import Visitor

    found: list[object] = []

    class Collect(Visitor):  # type: ignore[misc]
        def visit_Constraint(self, _ancestors: object, n: object) -> None:
            found.append(n)

    Collect()(node)
    return found


def _validate(schema: str, table: str, constraint: str) -> str:
    """VALIDATE CONSTRAINT, every identifier quoted by the library."""
    stmt = sql.SQL("alter table {}.{} validate constraint {};").format(
        sql.Identifier(schema), sql.Identifier(table), sql.Identifier(constraint))
    return stmt.as_string(None)
