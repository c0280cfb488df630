"""The declared models of the `citus:` sections: database-wide in schema.yaml, overrides in service.yaml.

Kept apart from `flatrender_schema.manifest` (which embeds them) so that everything Citus is in one
package; validated by the manifests' own small validator (`flatrender_schema.validation`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flatrender_schema.validation import boolean, dict_of, field, integer, string, tuple_of

_NAME = re.compile(r"^[a-z_][a-z0-9_$]{0,62}$")


def _plain(value: str, what: str) -> str:
    if not _NAME.match(value):
        raise ValueError(f"{what} {value!r}: write a plain lower-case name (the table in this service's schema)")
    return value


def _tables(v: tuple[str, ...]) -> tuple[str, ...]:
    for table in v:
        _plain(table, "table")
    dupes = sorted({t for t in v if v.count(t) > 1})
    if dupes:
        raise ValueError(f"table listed twice: {', '.join(dupes)}")
    return v


def _columns(v: dict[str, str]) -> dict[str, str]:
    for table, column in v.items():
        _plain(table, "table")
        _plain(str(column), "distribution column")
    return v


@dataclass(frozen=True)
class CitusSettings:
    """`citus:` in schema.yaml: whether the database is a Citus cluster and the defaults of its tables."""

    enabled: bool = field(boolean, False)
    # Citus's own default; a co-location group needs one shard count for all its tables.
    shard_count: int = field(integer(ge=1, le=64000), 32)
    distribution_column: str = field(string, "tenant_id", check=lambda v: _plain(v, "distribution_column"))


@dataclass(frozen=True)
class ServiceCitus:
    """`citus:` in service.yaml: tables of this service placed otherwise than the default."""

    reference: tuple[str, ...] = field(tuple_of(string), (), check=_tables)
    distributed: dict[str, str] = field(dict_of(string), {}, check=_columns)  # table -> distribution column
    local: tuple[str, ...] = field(tuple_of(string), (), check=_tables)

    def check(self) -> None:
        seen: dict[str, str] = {}
        for kind, tables in (("reference", self.reference), ("distributed", tuple(self.distributed)),
                             ("local", self.local)):
            for table in tables:
                if table in seen:
                    raise ValueError(f"table {table} is listed both under {seen[table]} and {kind}")
                seen[table] = kind
