"""SR1xx: soft references — cross-service links that are plain, documented columns."""

from __future__ import annotations

import re

from flatrender_schema.lint.catalog import Table
from flatrender_schema.lint.finding import Severity
from flatrender_schema.lint.registry import rule
from flatrender_schema.lint.walk import Check

_KEY_TYPES = frozenset({"uuid", "int2", "int4", "int8", "smallint", "integer", "bigint"})


@rule("SR101", "declared-soft-reference", Severity.ERROR,
      "a soft reference in service.yaml names an existing column and an existing target column")
class DeclaredSoftReference(Check):
    """Each `soft_references` entry `table.column: schema.table.column`: the column exists in the
    service's schema, and the target exists when its service is part of the schema directory."""

    def finish(self) -> None:
        for service in self.source.services:
            for column, target in service.manifest.soft_references.items():
                problem = self._problem(service.schema, column, target)
                if problem:
                    self.report(service.manifest_location("soft_references", column), problem)

    def _problem(self, own: str, column: str, target: str) -> str | None:
        table_name, col = column.split(".")
        table = self.catalog.tables.get((own, table_name))
        if table is None or col not in table.columns:
            return f"soft reference {own}.{column} names a column no SQL file creates; fix the entry"
        schema, ttable, tcol = target.split(".")
        if self.source.service_for_schema(schema) is None:
            return f"soft reference target {target} is in schema {schema}, which no service owns"
        found = self.catalog.tables.get((schema, ttable))
        if found is None or tcol not in found.columns:
            return f"soft reference target {target} does not exist in the SQL"
        return None


def comment_names(text: str, target: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(target)}(?![\w])", text) is not None


@rule("SR102", "soft-reference-comment", Severity.ERROR,
      "document each soft reference: COMMENT ON COLUMN s.t.c IS 'soft reference -> schema.table.column: why'")
class SoftReferenceComment(Check):
    """A declared soft reference whose column has no `COMMENT ON COLUMN`, or one that does not name
    the target declared in the manifest. The comment is what a reader of the live database sees:
    the form is `soft reference -> schema.table.column: <why>`."""

    def finish(self) -> None:
        for service in self.source.services:
            for column, target in service.manifest.soft_references.items():
                table_name, col = column.split(".")
                table = self.catalog.tables.get((service.schema, table_name))
                if table is None or col not in table.columns:
                    continue  # SR101
                comment = self.catalog.column_comments.get((service.schema, table_name, col))
                full = f"{service.schema}.{column}"
                if comment is None:
                    self.report(table.columns[col].location, f"soft reference {full} has no COMMENT ON "
                                f"COLUMN; add COMMENT ON COLUMN {full} IS 'soft reference -> {target}: why'")
                elif not comment_names(comment[0], target):
                    self.report(comment[1], f"the comment on soft reference {full} does not name its "
                                f"target; write 'soft reference -> {target}: why'")


def _stems(column: str) -> list[str]:
    """`last_render_job_id` -> ['last_render_job', 'render_job', 'job']: what it may refer to."""
    parts = column[:-3].split("_")
    return ["_".join(parts[i:]) for i in range(len(parts)) if parts[i]]


def _matches(stem: str, table: str) -> bool:
    return table in (stem, f"{stem}s", f"{stem}es") or (stem.endswith("y") and table == f"{stem[:-1]}ies")


@rule("SR103", "undeclared-reference", Severity.ERROR,
      "a *_id column naming another service's table is a foreign key or a declared soft reference")
class UndeclaredReference(Check):
    """A column that looks like a reference into another service — its name is `<x>_id` (or ends in
    `_<x>_id`) where `<x>` is the singular of a table of another service, and its type is uuid or an
    integer — but is neither a foreign key nor listed under `soft_references` (or `cross_schema_fks`).
    Declare it, so the link is documented and checked. `tenant_id` is exempt (every table has it);
    a name matching a table of the column's own service is taken as in-service."""

    def finish(self) -> None:
        by_schema: dict[str, list[Table]] = {}
        for table in self.catalog.tables.values():
            if table.name[0] is not None and table.partition_of is None:
                by_schema.setdefault(table.name[0], []).append(table)
        fk_columns = {(fk.table, c) for fk in self.catalog.foreign_keys for c in fk.columns}
        for table in self.catalog.tables.values():
            service = table.site.file.service
            if service is None or table.name[0] != service.schema or table.partition_of is not None:
                continue
            declared = set(service.manifest.soft_references) | set(service.manifest.cross_schema_fks)
            for column in table.columns.values():
                name = column.name
                if (not name.endswith("_id") or name == "tenant_id" or (table.name, name) in fk_columns
                        or f"{table.name[1]}.{name}" in declared or column.type_names[-1:] == ()
                        or column.type_names[-1] not in _KEY_TYPES):
                    continue
                targets = self._targets(name, service.schema, by_schema)
                if targets:
                    self.report(column.location, f"{table.qualified_name}.{name} looks like a reference to "
                                f"{' or '.join(targets)} but is neither a foreign key nor a declared soft "
                                f"reference; declare it under soft_references in {service.name}/service.yaml")

    def _targets(self, column: str, own: str, by_schema: dict[str, list[Table]]) -> list[str]:
        for stem in _stems(column):
            if any(_matches(stem, t.name[1]) for t in by_schema.get(own, ())):
                return []
            found = [t.qualified_name for schema, tables in sorted(by_schema.items()) if schema != own
                     and self.source.service_for_schema(schema) is not None
                     for t in tables if _matches(stem, t.name[1])]
            if found:
                return found
        return []
