"""Rewrite lock-heavy statements on existing tables into their online forms.

- CREATE INDEX on an existing table -> CREATE INDEX CONCURRENTLY IF NOT EXISTS, after the transaction
  (not on partitioned tables, where PostgreSQL has no concurrent build: that stays an INDEX_BUILD hazard).
- ADD CONSTRAINT ... FOREIGN KEY / CHECK on an existing table -> added NOT VALID in the transaction, then
  VALIDATE CONSTRAINT after it (a weaker lock that does not block writes). Foreign keys on partitioned
  tables cannot be NOT VALID and stay as they are, flagged VALIDATION_SCAN.
- ADD CONSTRAINT ... USING INDEX of such an index -> after the transaction too, once the index exists.
  When the plan drops a key of that name first (its index is rebuilt: new options, new columns), the
  new index is built under another name before the transaction, and the transaction drops the old
  key, renames the new index and attaches it: the table is never without its key, and a build that
  fails (duplicates) fails before anything changed.
- VALIDATE CONSTRAINT on an existing table -> after the transaction.
- ALTER TYPE ... ADD VALUE -> IF NOT EXISTS, before the transaction (a new value cannot be used in the
  transaction that adds it).
"""

from __future__ import annotations

import copy

from pglast import ast, enums
from psycopg import sql

from flatrender_schema.plan_objects import relname
from flatrender_schema.step import Phase, Step


def make_online(steps: list[Step], existing: set[str], partitioned: set[str]) -> list[Step]:
    """The same steps, rewritten and re-phased; execution order is pre, then main, then post."""
    pre: list[Step] = []
    main: list[Step] = []
    post: list[Step] = []
    concurrent_indexes: set[str] = set()
    referenced = _fk_targets(steps)
    rebuilt = _rebuilt_keys(steps, existing)
    swapped: dict[str, str] = {}  # index name -> the name it is built under, before the transaction
    for step in steps:
        node = step.tree
        if isinstance(node, ast.IndexStmt):
            table = relname(node.relation)
            # A unique index that a foreign key in this plan may need stays in the transaction.
            needed = node.unique and table in referenced
            if table in existing and table not in partitioned and not node.concurrent and not needed:
                online = copy.deepcopy(node)
                online.concurrent = True
                online.if_not_exists = True
                concurrent_indexes.add(node.idxname or "")
                if (table, node.idxname) in rebuilt:
                    online.idxname = swapped[node.idxname] = _new_name(node.idxname)
                    pre.append(Step.of_tree(online, step.source, Phase.PRE))
                    continue
                post.append(Step.of_tree(online, step.source, Phase.POST))
                continue
        elif isinstance(node, ast.AlterEnumStmt) and node.newVal and not node.oldVal:
            online = copy.deepcopy(node)
            online.skipIfNewValExists = True
            pre.append(Step.of_tree(online, step.source, Phase.PRE))
            continue
        elif isinstance(node, ast.AlterTableStmt) and len(node.cmds or ()) == 1:
            table = relname(node.relation)
            cmd = node.cmds[0]
            con = cmd.def_ if cmd.subtype == enums.AlterTableType.AT_AddConstraint else None
            if isinstance(con, ast.Constraint) and con.indexname in swapped:
                schema, _, _ = table.partition(".")
                main.append(Step.parse(_rename_index(schema, swapped[con.indexname], con.indexname), step.source))
                main.append(step)
                continue
            if isinstance(con, ast.Constraint) and con.indexname and con.indexname in concurrent_indexes:
                # UNIQUE / PRIMARY KEY USING INDEX: attach once the concurrent build is done.
                post.append(step.moved(Phase.POST))
                continue
            if cmd.subtype == enums.AlterTableType.AT_ValidateConstraint and table in existing:
                post.append(step.moved(Phase.POST))
                continue
            if (
                isinstance(con, ast.Constraint)
                and table in existing
                and con.contype in (enums.ConstrType.CONSTR_FOREIGN, enums.ConstrType.CONSTR_CHECK)
                and not con.skip_validation
                and con.conname
                and not (con.contype == enums.ConstrType.CONSTR_FOREIGN and table in partitioned)
            ):
                online = copy.deepcopy(node)
                added = online.cmds[0].def_
                added.skip_validation = True
                if added.contype == enums.ConstrType.CONSTR_CHECK:
                    added.initially_valid = False
                main.append(Step.of_tree(online, step.source, Phase.MAIN))
                schema, _, name = table.partition(".")
                post.append(Step.parse(_validate(schema, name, con.conname), step.source, Phase.POST))
                continue
        main.append(step)
    return pre + main + post


_KEY_CHANGES = {enums.AlterTableType.AT_DropConstraint, enums.AlterTableType.AT_AddConstraint}


def _rebuilt_keys(steps: list[Step], existing: set[str]) -> set[tuple[str, str]]:
    """(table, index name) of keys the plan drops and adds again USING INDEX of the same name, on
    tables the plan changes no other way (a new index built before the transaction must not need a
    column the transaction adds or changes)."""
    dropped: set[tuple[str, str]] = set()
    attached: set[tuple[str, str]] = set()
    otherwise_changed: set[str] = set()
    for step in steps:
        for node in step.trees:
            if isinstance(node, ast.RenameStmt) and node.relation is not None:
                otherwise_changed.add(relname(node.relation))
            if not isinstance(node, ast.AlterTableStmt) or node.relation is None:
                continue
            table = relname(node.relation)
            for cmd in node.cmds or ():
                if cmd.subtype not in _KEY_CHANGES:
                    otherwise_changed.add(table)
                elif cmd.subtype == enums.AlterTableType.AT_DropConstraint and cmd.name:
                    dropped.add((table, cmd.name))
                elif isinstance(cmd.def_, ast.Constraint) and cmd.def_.indexname == cmd.def_.conname:
                    attached.add((table, cmd.def_.indexname))
    return {(t, name) for t, name in dropped & attached if t in existing and t not in otherwise_changed}


def _new_name(name: str) -> str:
    """The name a rebuilt key's index is built under: the old one, cut to fit 63 bytes, plus a suffix."""
    return name.encode()[:54].decode(errors="ignore") + "_frs_next"


def _rename_index(schema: str, name: str, to: str) -> str:
    stmt = sql.SQL("alter index {}.{} rename to {};").format(
        sql.Identifier(schema), sql.Identifier(name), sql.Identifier(to))
    return stmt.as_string(None)


def _fk_targets(steps: list[Step]) -> set[str]:
    """Tables referenced by foreign keys anywhere in these steps."""
    out: set[str] = set()
    for step in steps:
        if "references" not in step.sql.lower():
            continue
        for node in step.trees:
            for constraint in _constraints(node):
                if constraint.contype == enums.ConstrType.CONSTR_FOREIGN:
                    out.add(relname(constraint.pktable))
    return out


def _constraints(node: ast.Node) -> list[ast.Constraint]:
    from pglast.visitors import Visitor

    found: list[ast.Constraint] = []

    class Collect(Visitor):  # type: ignore[misc]
        def visit_Constraint(self, _ancestors: object, n: ast.Constraint) -> None:
            found.append(n)

    Collect()(node)
    return found


def _validate(schema: str, table: str, constraint: str) -> str:
    """VALIDATE CONSTRAINT, every identifier quoted by the library."""
    stmt = sql.SQL("alter table {}.{} validate constraint {};").format(
        sql.Identifier(schema), sql.Identifier(table), sql.Identifier(constraint))
    return stmt.as_string(None)
