"""IX1xx: indexes a reviewer expects."""

from __future__ import annotations

from flatrender_schema.lint.finding import Severity
from flatrender_schema.lint.registry import rule
from flatrender_schema.lint.walk import Check


@rule("IX101", "foreign-key-index", Severity.WARNING,
      "index the referencing columns of every foreign key (they may lead a primary key, unique or index)",
      needs_manifest=False)
class ForeignKeyIndex(Check):
    """Each foreign key's referencing columns are the leading columns (in any order) of an index,
    primary key or unique constraint of the referencing table (declared anywhere in the desired
    state). Without one, every delete or key update of the referenced row scans the referencing
    table, under lock. An index on a partitioned parent counts for its partitions."""

    def finish(self) -> None:
        for fk in self.catalog.foreign_keys:
            table = self.catalog.tables.get(fk.table)
            if table is None or table.partition_of is not None or not fk.columns:
                continue
            wanted = set(fk.columns)
            if any(set(key[: len(wanted)]) == wanted for key in table.keys):
                continue
            cols = ", ".join(fk.columns)
            self.report(fk.location, f"foreign key ({cols}) of {table.qualified_name} has no index; add "
                        f"CREATE INDEX {table.name[1]}_{'_'.join(fk.columns)}_idx ON "
                        f"{table.qualified_name} ({cols})")
