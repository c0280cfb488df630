"""PT1xx: partitioned tables match their manifest declaration."""

from __future__ import annotations

from flatrender_schema.lint.catalog import Table
from flatrender_schema.lint.finding import Severity
from flatrender_schema.lint.registry import rule
from flatrender_schema.lint.walk import Check


def _starts_month(table: Table, month: str) -> bool:
    return bool(table.bound_from) and table.bound_from[0].startswith(f"{month}-01")


@rule("PT101", "declared-partitioning", Severity.ERROR,
      "a table declared `partitioned` is PARTITION BY RANGE on the declared key and has its initial "
      "monthly partition")
class DeclaredPartitioning(Check):
    """For every entry of a manifest's `partitioned`: the table exists, is `PARTITION BY RANGE
    (key)` on exactly the declared key column, and a partition `PARTITION OF` it is declared
    `FOR VALUES FROM ('<initial>-01…') TO (…)`. Later months are the partition policy's job."""

    def finish(self) -> None:
        for service in self.source.services:
            for name, spec in service.manifest.partitioned.items():
                qname = (service.schema, name)
                table = self.catalog.tables.get(qname)
                full = f"{service.schema}.{name}"
                if table is None:
                    self.report(service.manifest_location("partitioned", name),
                                f"partitioned declares {full}, which no SQL file creates")
                    continue
                if table.partition_strategy != "range" or table.partition_key != (spec.key,):
                    written = (f"PARTITION BY {table.partition_strategy.upper()} "
                               f"({', '.join(k or '<expression>' for k in table.partition_key)})"
                               if table.partition_strategy else "not partitioned")
                    self.report(table.location, f"{full} is {written}; the manifest declares "
                                f"PARTITION BY RANGE ({spec.key})")
                    continue
                if not any(_starts_month(p, spec.initial) for p in self.catalog.partitions_of(qname)):
                    self.report(table.location, f"{full} has no initial partition for {spec.initial}; add "
                                f"CREATE TABLE {full}_{spec.initial.replace('-', '_')} PARTITION OF {full} "
                                f"FOR VALUES FROM ('{spec.initial}-01') TO (<next month>)")


@rule("PT102", "undeclared-partitioning", Severity.ERROR,
      "a partitioned table must be declared under `partitioned` in service.yaml (key and initial month)")
class UndeclaredPartitioning(Check):
    """A `PARTITION BY` table the manifest does not declare: the partition policy would never create
    its future partitions, and inserts would fail once the declared ones run out."""

    def finish(self) -> None:
        for table in self.catalog.tables.values():
            service = table.site.file.service
            if service is None or table.partition_strategy is None or table.partition_of is not None:
                continue
            if table.name[0] == service.schema and table.name[1] in service.manifest.partitioned:
                continue
            self.report(table.location, f"{table.qualified_name} is partitioned but not declared under "
                        f"partitioned in {service.name}/service.yaml")
