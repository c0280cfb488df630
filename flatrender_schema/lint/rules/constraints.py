"""CN1xx / TB1xx: constraint naming and primary keys."""

from __future__ import annotations

from pglast import ast
from pglast.enums import ConstrType

from flatrender_schema.lint.finding import Severity
from flatrender_schema.lint.registry import rule
from flatrender_schema.lint.walk import Check, Site

_NAMED = {ConstrType.CONSTR_PRIMARY: "primary key", ConstrType.CONSTR_UNIQUE: "unique constraint",
          ConstrType.CONSTR_FOREIGN: "foreign key", ConstrType.CONSTR_CHECK: "check constraint",
          ConstrType.CONSTR_EXCLUSION: "exclusion constraint"}


@rule("CN101", "unnamed-constraint", Severity.WARNING,
      "name every constraint and index (CONSTRAINT <table>_<columns>_<kind> ...)", needs_manifest=False)
class UnnamedConstraint(Check):
    """A primary key, unique, foreign key, check or exclusion constraint without `CONSTRAINT name`,
    or a `CREATE INDEX` without a name. Generated names depend on what else exists and differ
    between databases, so plans that drop or alter the constraint cannot name it reliably."""

    def visit_Constraint(self, node: ast.Constraint, site: Site) -> None:
        kind = _NAMED.get(node.contype)
        if kind is not None and not node.conname:
            self.report(site.location(node), f"unnamed {kind}; name it with CONSTRAINT <name>")

    def visit_IndexStmt(self, node: ast.IndexStmt, site: Site) -> None:
        if not node.idxname:
            self.report(site.location(), "unnamed index; write CREATE INDEX <table>_<columns>_idx ON ...")


@rule("TB101", "primary-key", Severity.WARNING,
      "every table has a primary key", needs_manifest=False)
class PrimaryKey(Check):
    """A table without a primary key (declared in its CREATE TABLE or a later ALTER TABLE). Rows
    cannot be addressed, replication and the diff engine need one. Partitions inherit theirs."""

    def finish(self) -> None:
        for table in self.catalog.tables.values():
            if table.primary_key is None and table.partition_of is None and not table.temporary:
                self.report(table.location, f"table {table.qualified_name} has no primary key; add "
                            f"CONSTRAINT {table.name[1]}_pkey PRIMARY KEY (...)")
