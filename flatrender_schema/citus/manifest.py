"""The declared models of the `citus:` sections: database-wide in schema.yaml, overrides in service.yaml.

Kept apart from `flatrender_schema.manifest` (which embeds them) so that everything Citus is in one
package; these models import nothing of the tool's.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

_NAME = re.compile(r"^[a-z_][a-z0-9_$]{0,62}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _plain(value: str, what: str) -> str:
    if not _NAME.match(value):
        raise ValueError(f"{what} {value!r}: write a plain lower-case name (the table in this service's schema)")
    return value


class CitusSettings(_Strict):
    """`citus:` in schema.yaml: whether the database is a Citus cluster and the defaults of its tables."""

    enabled: bool = False
    # Citus's own default; a co-location group needs one shard count for all its tables.
    shard_count: int = Field(32, ge=1, le=64000)
    distribution_column: str = "tenant_id"

    @field_validator("distribution_column")
    @classmethod
    def _column(cls, v: str) -> str:
        return _plain(v, "distribution_column")


class ServiceCitus(_Strict):
    """`citus:` in service.yaml: tables of this service placed otherwise than the default."""

    reference: tuple[str, ...] = ()
    distributed: dict[str, str] = {}  # table -> distribution column
    local: tuple[str, ...] = ()

    @field_validator("reference", "local")
    @classmethod
    def _tables(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for table in v:
            _plain(table, "table")
        dupes = sorted({t for t in v if v.count(t) > 1})
        if dupes:
            raise ValueError(f"table listed twice: {', '.join(dupes)}")
        return v

    @field_validator("distributed")
    @classmethod
    def _columns(cls, v: dict[str, str]) -> dict[str, str]:
        for table, column in v.items():
            _plain(table, "table")
            _plain(str(column), "distribution column")
        return v

    def model_post_init(self, __context: object) -> None:
        seen: dict[str, str] = {}
        for kind, tables in (("reference", self.reference), ("distributed", tuple(self.distributed)),
                             ("local", self.local)):
            for table in tables:
                if table in seen:
                    raise ValueError(f"table {table} is listed both under {seen[table]} and {kind}")
                seen[table] = kind
