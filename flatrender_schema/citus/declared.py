"""The declared distribution: where each table of the desired state lives on a Citus cluster.

The default follows what FlatRender already declares, so a service team writes nothing:

- A table with the distribution column (`tenant_id`) is **distributed** by it, all of them in one
  co-location group: a tenant's rows of every table sit on the same node, so joins and foreign keys
  within a tenant stay on one node (Citus's multi-tenant model).
- The **tenant root** (a `tenant_exempt` table that `tenant_id` foreign keys point at:
  `identity.tenants`) is distributed by the column they reference (`id`) in that same group: a
  tenant's own row goes with its data, and the `tenant_id` foreign keys join co-located shards
  (Citus's advice for the tenants table; a reference table would copy every tenant to every node).
- Any other `tenant_exempt` table is a **reference table** (a copy on every node): lookup data
  shared by all tenants (render hardware, plans), which distributed tables may join and reference.
  A partitioned one stays local instead: Citus refuses partitioned reference tables.
- A table with neither stays **local** on the coordinator (lint's TN101 already asks for tenant_id).
- Partitions follow their parent: Citus distributes them with it.

A service overrides any table in its `service.yaml` under `citus:` (`reference:`, `distributed:
{table: column}`, `local:`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from flatrender_schema.citus.manifest import CitusSettings, ServiceCitus
from flatrender_schema.citus.tables import QName, TableFact

Kind = Literal["distributed", "reference", "local"]
Why = Literal["override", "tenant column", "tenant root", "tenant exempt", "partitioned exempt", "no tenant column"]


@dataclass(frozen=True)
class Placement:
    table: QName
    kind: Kind
    column: str | None  # the distribution column (distributed tables)
    why: Why

    @property
    def qualified(self) -> str:
        return f"{self.table[0]}.{self.table[1]}"


@dataclass(frozen=True)
class ServiceFacts:
    """What derivation reads of one service's manifest."""

    schema: str
    tenant_exempt: frozenset[str]
    overrides: ServiceCitus


@dataclass(frozen=True)
class Declared:
    settings: CitusSettings
    placements: tuple[Placement, ...]  # sorted by table name

    def of(self, table: QName) -> Placement | None:
        return next((p for p in self.placements if p.table == table), None)

    @property
    def distributed(self) -> tuple[Placement, ...]:
        return tuple(p for p in self.placements if p.kind == "distributed")

    @property
    def reference(self) -> tuple[Placement, ...]:
        return tuple(p for p in self.placements if p.kind == "reference")


def derive(settings: CitusSettings, services: Iterable[ServiceFacts], tables: Mapping[QName, TableFact]) -> Declared:
    column = settings.distribution_column
    by_schema = {s.schema: s for s in services}
    roots = {fk.target: fk.target_columns[0]
             for t in tables.values() for fk in t.foreign_keys
             if fk.columns == (column,) and len(fk.target_columns) == 1}
    out: list[Placement] = []
    for name in sorted(tables):
        fact = tables[name]
        service = by_schema.get(name[0])
        if service is None or fact.partition_of is not None:
            continue
        o = service.overrides
        table = name[1]
        if table in o.local:
            out.append(Placement(name, "local", None, "override"))
        elif table in o.reference:
            out.append(Placement(name, "reference", None, "override"))
        elif table in o.distributed:
            out.append(Placement(name, "distributed", o.distributed[table], "override"))
        elif table in service.tenant_exempt and name in roots:
            out.append(Placement(name, "distributed", roots[name], "tenant root"))
        elif table in service.tenant_exempt and fact.partitioned:
            out.append(Placement(name, "local", None, "partitioned exempt"))
        elif table in service.tenant_exempt:
            out.append(Placement(name, "reference", None, "tenant exempt"))
        elif column in fact.columns:
            out.append(Placement(name, "distributed", column, "tenant column"))
        else:
            out.append(Placement(name, "local", None, "no tenant column"))
    return Declared(settings, tuple(out))


def declared_for(desired: object) -> Declared | None:
    """The declared distribution of a loaded `Desired`, or None when its manifests do not enable Citus."""
    from flatrender_schema.citus.tables import from_desired
    from flatrender_schema.desired import Desired

    assert isinstance(desired, Desired)
    if desired.project is None or not desired.project.citus.enabled:
        return None
    services = [ServiceFacts(s.schema, frozenset(s.manifest.tenant_exempt), s.manifest.citus)
                for s in desired.services]
    return derive(desired.project.citus, services, from_desired(desired))
