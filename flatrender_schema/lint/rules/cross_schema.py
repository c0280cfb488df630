"""XS1xx: foreign keys across service schemas."""

from __future__ import annotations

from flatrender_schema.lint.catalog import ForeignKey
from flatrender_schema.lint.finding import Severity
from flatrender_schema.lint.registry import rule
from flatrender_schema.lint.walk import Check


def _target_columns(check: Check, fk: ForeignKey) -> tuple[str | None, ...]:
    if fk.target_columns:
        return fk.target_columns
    target = check.catalog.tables.get(fk.target)  # REFERENCES t: the target's primary key
    if target is not None and target.primary_key:
        return target.primary_key
    return (None,) * len(fk.columns)


def declared(check: Check, fk: ForeignKey) -> bool:
    """Whether the source service's manifest allows exactly this cross-schema foreign key."""
    service = check.source.service_for_schema(fk.table[0]) or fk.site.file.service
    if service is None or not fk.columns:
        return False
    allowed = service.manifest.cross_schema_fks
    for column, target_column in zip(fk.columns, _target_columns(check, fk), strict=False):
        target = allowed.get(f"{fk.table[1]}.{column}")
        if target is None:
            return False
        schema, table, col = target.split(".")
        if (schema, table) != fk.target or (target_column is not None and target_column != col):
            return False
    return True


@rule("XS101", "cross-schema-foreign-key", Severity.ERROR,
      "no foreign keys across service schemas: make the column a soft reference "
      "(service.yaml soft_references + COMMENT ON COLUMN); only cross_schema_fks may cross",
      needs_manifest=False)
class CrossSchemaForeignKey(Check):
    """A foreign key whose referenced table is in another schema than the referencing table, unless
    the referencing service's manifest lists exactly that column and target under
    `cross_schema_fks` (FlatRender has one: `identity.earned_gifts.notification_id`).

    Every spelling is caught: a column-level `REFERENCES`, a table-level `FOREIGN KEY`, `ALTER TABLE
    … ADD [CONSTRAINT …] FOREIGN KEY` or `ADD COLUMN … REFERENCES`, quoted identifiers, and an
    unqualified target, resolved through the `SET search_path` in force at that point of the file
    (the first schema on the path that has a table of that name, else the first schema on the path).
    The location is the constraint clause (`CONSTRAINT name`, `REFERENCES` or `FOREIGN KEY`).
    On plain SQL files (no manifest) every cross-schema foreign key is reported."""

    def finish(self) -> None:
        for fk in self.catalog.foreign_keys:
            if fk.table[0] is None or fk.target[0] is None or fk.table[0] == fk.target[0]:
                continue
            if declared(self, fk):
                continue
            cols = ", ".join(fk.columns)
            target = f"{fk.target[0]}.{fk.target[1]}"
            self.report(fk.location, f"foreign key {fk.table[0]}.{fk.table[1]} ({cols}) -> {target} "
                        "crosses schemas; drop it and declare a soft reference (service.yaml "
                        "soft_references + COMMENT ON COLUMN)")


@rule("XS102", "stale-cross-schema-allowance", Severity.ERROR,
      "a cross_schema_fks entry in service.yaml has no matching foreign key in the SQL; remove it")
class StaleCrossSchemaAllowance(Check):
    """An allowance in `cross_schema_fks` that no foreign key uses. Allowances are exceptions to the
    most important rule of the schema; one that is not needed widens it silently."""

    def finish(self) -> None:
        for service in self.source.services:
            for column, target in service.manifest.cross_schema_fks.items():
                table, col = column.split(".")
                schema, ttable, _tcol = target.split(".")
                used = any(fk.table == (service.schema, table) and col in fk.columns
                           and fk.target == (schema, ttable) for fk in self.catalog.foreign_keys)
                if not used:
                    self.report(service.manifest_location("cross_schema_fks", column),
                                f"cross_schema_fks allows {service.schema}.{column} -> {target} but the SQL "
                                "declares no such foreign key; remove the entry or add the constraint")
