"""TN1xx: every table carries tenant_id uuid NOT NULL."""

from __future__ import annotations

from flatrender_schema.lint.finding import Severity
from flatrender_schema.lint.registry import rule
from flatrender_schema.lint.walk import Check


@rule("TN101", "tenant-id", Severity.ERROR,
      "every table needs `tenant_id uuid NOT NULL`, or a tenant_exempt entry with a reason in service.yaml")
class TenantId(Check):
    """Multi-tenancy: each table of a service has a column `tenant_id` of type `uuid` that is
    `NOT NULL` (a primary key column counts as NOT NULL), unless the service manifest lists the
    table under `tenant_exempt` with a reason (`identity.tenants`, shared render hardware).
    Partitions inherit their parent's columns and are not checked on their own."""

    def finish(self) -> None:
        for table in self.catalog.tables.values():
            service = table.site.file.service
            if service is None or table.temporary or table.partition_of is not None:
                continue
            if table.name[0] == service.schema and table.name[1] in service.manifest.tenant_exempt:
                continue
            column = table.columns.get("tenant_id")
            name = table.qualified_name
            if column is None:
                self.report(table.location, f"table {name} has no tenant_id; add `tenant_id uuid NOT NULL` "
                            f"or exempt it under tenant_exempt in {service.name}/service.yaml with a reason")
            elif column.type_names[-1:] != ("uuid",):
                self.report(column.location, f"{name}.tenant_id is {'.'.join(column.type_names)}, not uuid; "
                            "declare it `tenant_id uuid NOT NULL`")
            elif not column.not_null:
                self.report(column.location,
                            f"{name}.tenant_id may be NULL; declare it `tenant_id uuid NOT NULL`")


@rule("TN102", "stale-tenant-exemption", Severity.ERROR,
      "a tenant_exempt entry in service.yaml names a table the SQL does not create; remove or fix it")
class StaleTenantExemption(Check):
    """An exemption from tenant_id for a table that does not exist (a typo, or a dropped table):
    it would silently exempt a future table of that name."""

    def finish(self) -> None:
        for service in self.source.services:
            for table in service.manifest.tenant_exempt:
                if (service.schema, table) not in self.catalog.tables:
                    self.report(service.manifest_location("tenant_exempt", table),
                                f"tenant_exempt names {service.schema}.{table}, which no SQL file creates")
