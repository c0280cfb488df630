"""The documented database as plain values, read from a catalog snapshot and the manifests.

Sections are the services (with manifests) or the schemas (plain `--desired` SQL). Every sequence
is sorted, so each renderer's output is the same bytes for the same desired state.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flatrender_schema.catalog import Snapshot
from flatrender_schema.desired import Desired
from flatrender_schema.docs.definitions import index_columns, key_columns, parse_foreign_key

TABLE_KINDS = {"r": "table", "p": "partitioned table", "v": "view", "m": "materialized view", "f": "foreign table"}
CONSTRAINT_KINDS = {"p": "primary key", "u": "unique", "c": "check", "f": "foreign key", "x": "exclusion",
                    "t": "constraint trigger"}
PRIVILEGES = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "D": "TRUNCATE", "x": "REFERENCES",
              "t": "TRIGGER", "U": "USAGE", "C": "CREATE"}
SOFT_COMMENT = re.compile(r"^\s*soft reference\s*->\s*(?P<target>[^\s:]+)\s*(?::\s*(?P<note>.*))?$", re.S | re.I)

TableKey = tuple[str, str]  # (schema, table)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool
    default: str | None
    comment: str | None
    identity: str = ""  # 'a' always, 'd' by default
    generated: str = ""  # 's' stored


@dataclass(frozen=True)
class Constraint:
    name: str
    kind: str  # a key of CONSTRAINT_KINDS
    definition: str
    comment: str | None


@dataclass(frozen=True)
class Index:
    name: str
    definition: str
    columns: tuple[str, ...]
    comment: str | None


@dataclass(frozen=True)
class Trigger:
    name: str
    definition: str
    enabled: bool


@dataclass(frozen=True)
class Policy:
    name: str
    permissive: str
    roles: tuple[str, ...]
    command: str
    using: str | None
    with_check: str | None


@dataclass(frozen=True)
class Reference:
    """A foreign key (solid) or a soft reference (dashed): `columns` of `table` point at the target's."""

    kind: str  # "fk" or "soft"
    source: TableKey
    columns: tuple[str, ...]
    target: TableKey
    target_columns: tuple[str, ...]
    name: str  # the constraint's name; "" for a soft reference
    definition: str  # the constraint's definition, or how the soft reference is declared
    nullable: bool  # some source column may be NULL
    unique: bool  # the source columns are a key of their table
    cross_schema: bool = False
    declared_cross_schema: bool = False  # one of the manifests' allowed cross-schema foreign keys
    note: str = ""

    @property
    def label(self) -> str:
        cols = ", ".join(self.columns)
        if self.kind == "soft":
            return f"soft: {cols}"
        if self.cross_schema:
            return f"cross-schema FK{' (allowed)' if self.declared_cross_schema else ''}: {cols}"
        return cols


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    kind: str  # a key of TABLE_KINDS
    comment: str | None
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    constraints: tuple[Constraint, ...]
    indexes: tuple[Index, ...]
    triggers: tuple[Trigger, ...]
    policies: tuple[Policy, ...]
    rls: bool
    partition_key: str | None
    partitions: tuple[tuple[str, str], ...]  # (name, bound) of the partitions the desired state creates
    partition_policy: str | None  # e.g. "monthly from 2026-01, 3 months ahead"
    definition: str | None  # a view's query
    references: tuple[Reference, ...] = ()  # outgoing
    referenced_by: tuple[Reference, ...] = ()  # incoming

    @property
    def key(self) -> TableKey:
        return (self.schema, self.name)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    def key_columns(self) -> set[str]:
        """Columns worth showing in a keys-only diagram: the primary key and every reference's."""
        out = set(self.primary_key)
        for ref in self.references:
            out.update(ref.columns)
        return out


@dataclass(frozen=True)
class Section:
    """A page: a service (with manifests) or a schema (plain SQL)."""

    slug: str  # the page's file stem
    title: str
    schema: str
    description: str
    role: str | None
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class Grant:
    role: str  # "PUBLIC" for everyone
    schema: str
    table: str  # "" for the schema itself
    privileges: tuple[str, ...]  # SQL names, sorted as PRIVILEGES lists them


@dataclass(frozen=True)
class Database:
    title: str
    sections: tuple[Section, ...]
    references: tuple[Reference, ...]
    grants: tuple[Grant, ...]
    owners: tuple[tuple[str, str], ...]  # (schema, owner role)
    enums: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (schema.name, labels)
    extensions: tuple[tuple[str, str], ...] = ()  # (name, schema)
    notes: tuple[str, ...] = field(default=())

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(t for s in self.sections for t in s.tables)

    def section_of(self, key: TableKey) -> Section | None:
        return self._sections_by_table.get(key)

    @functools.cached_property
    def _sections_by_table(self) -> dict[TableKey, Section]:
        return {t.key: s for s in self.sections for t in s.tables}


def _slug(name: str, taken: set[str]) -> str:
    """A file stem for a page: the name when it is plain, else a readable part plus a digest."""
    import hashlib

    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", name) and name.lower() not in taken and name != "index":
        slug = name
    else:
        plain = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:40] or "schema"
        slug = f"{plain}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
    taken.add(slug.lower())
    return slug


def _privileges(letters: str) -> tuple[str, ...]:
    return tuple(PRIVILEGES[c] for c in PRIVILEGES if c in letters)


def _grants(rows: Iterable[dict[str, Any]], schema_level: bool) -> list[Grant]:
    out = []
    for row in rows:
        owner = str(row.get("owner") or "")
        for item in row.get("acl") or ():
            grantee, _, letters = str(item).partition("=")
            if grantee == "<owner>":
                continue  # the owner's own rights: shown as ownership
            schema = str(row["name"] if schema_level else row["schema"])
            table = "" if schema_level else str(row["name"])
            privileges = _privileges(letters.replace("*", ""))
            if privileges:
                out.append(Grant(grantee if grantee != owner else owner, schema, table, privileges))
    return out


def _policy_note(desired: Desired, schema: str, table: str) -> str | None:
    service = desired.service_for_schema(schema)
    if service is None or desired.project is None or table not in service.manifest.partitioned:
        return None
    spec = service.manifest.partitioned[table]
    ahead = desired.project.partition_policy.premake
    return f"monthly partitions on {spec.key} from {spec.initial}, {ahead} months ahead of today (partition policy)"


def _soft_references(desired: Desired, snapshot: Snapshot) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(schema, table, column) -> (target schema.table.column, note): manifests first, then comments."""
    out: dict[tuple[str, str, str], tuple[str, str]] = {}
    for row in snapshot.rows("columns"):
        match = SOFT_COMMENT.match(str(row.get("comment") or ""))
        if match:
            note = " ".join((match["note"] or "").split())
            out[(str(row["schema"]), str(row["table"]), str(row["name"]))] = (match["target"], note)
    for service in desired.services:
        for column, target in service.manifest.soft_references.items():
            table, col = column.split(".", 1)
            key = (service.schema, table, col)
            out[key] = (target, out.get(key, ("", ""))[1])
    return out


def _ordered(columns: dict[str, Column], order: tuple[str, ...]) -> tuple[Column, ...]:
    position = {name: n for n, name in enumerate(order)}
    return tuple(sorted(columns.values(), key=lambda c: (position.get(c.name, len(position)), c.name)))


def read_database(
    snapshot: Snapshot,
    desired: Desired,
    title: str = "Database schema",
    column_order: dict[TableKey, tuple[str, ...]] | None = None,
) -> Database:
    """The documented database: what `snapshot` (the shadow's) holds, arranged as `desired` says;
    columns in `column_order` (the table's own order; by name without it)."""
    managed = set(desired.managed_schemas) if desired.project is not None else None

    def shown(schema: str) -> bool:
        return managed is None or schema in managed

    relations = {(str(r["schema"]), str(r["name"])): r for r in snapshot.rows("relations") if shown(str(r["schema"]))}
    by_table: dict[str, dict[TableKey, list[dict[str, Any]]]] = {}
    for area in ("columns", "constraints", "indexes", "triggers", "policies"):
        grouped: dict[TableKey, list[dict[str, Any]]] = {}
        for row in snapshot.rows(area):
            grouped.setdefault((str(row["schema"]), str(row["table"])), []).append(row)
        by_table[area] = grouped

    declared_partitioned = {(s.schema, t) for s in desired.services for t in s.manifest.partitioned}
    partitions: dict[TableKey, list[tuple[str, str]]] = {}
    is_partition: set[TableKey] = set()
    for key, row in relations.items():
        if row.get("partition_bound") and row.get("parents"):
            parent_schema, _, parent_name = str(row["parents"][0]).partition(".")
            parent = (parent_schema, parent_name)
            is_partition.add(key)
            monthly = re.fullmatch(re.escape(parent_name) + r"_\d{4}_\d{2}", key[1])
            if parent in declared_partitioned and monthly:
                continue  # made by the partition policy (depends on today): summarised as the policy
            partitions.setdefault(parent, []).append((key[1], str(row["partition_bound"])))

    soft = _soft_references(desired, snapshot)
    allowed_cross = {
        (s.schema, *column.split(".", 1)): target for s in desired.services for column, target in
        s.manifest.cross_schema_fks.items()
    }

    columns_of: dict[TableKey, dict[str, Column]] = {}
    unique_sets: dict[TableKey, set[tuple[str, ...]]] = {}
    for key in relations:
        cols = {}
        for row in by_table["columns"].get(key, ()):
            cols[str(row["name"])] = Column(
                str(row["name"]), str(row["type"]), not row["not_null"], row.get("default"), row.get("comment"),
                str(row.get("identity") or ""), str(row.get("generated") or ""),
            )
        columns_of[key] = cols
        unique_sets[key] = {
            tuple(sorted(key_columns(str(c["definition"]))))
            for c in by_table["constraints"].get(key, ()) if c["type"] in ("p", "u")
        }

    references: list[Reference] = []
    for key in sorted(relations):
        if key in is_partition:
            continue
        cols = columns_of[key]
        for row in by_table["constraints"].get(key, ()):
            if row["type"] != "f":
                continue
            fk = parse_foreign_key(str(row["definition"]))
            if fk is None:
                continue
            target = (fk.target_schema or "public", fk.target_table)
            cross = target[0] != key[0]
            references.append(Reference(
                "fk", key, fk.columns, target, fk.target_columns, str(row["name"]), str(row["definition"]),
                any(cols[c].nullable for c in fk.columns if c in cols),
                tuple(sorted(fk.columns)) in unique_sets[key], cross,
                cross and (key[0], key[1], fk.columns[0]) in allowed_cross,
            ))
        for column in sorted(cols):
            found = soft.get((key[0], key[1], column))
            if found is None:
                continue
            parts = found[0].split(".")
            if len(parts) != 3:
                continue
            target_key = (parts[0], parts[1])
            references.append(Reference(
                "soft", key, (column,), target_key, (parts[2],), "", f"soft reference -> {found[0]}",
                cols[column].nullable, (column,) in unique_sets[key], target_key[0] != key[0], False, found[1],
            ))
    references.sort(key=lambda r: (r.source, r.columns, r.kind, r.target, r.name))
    outgoing: dict[TableKey, list[Reference]] = {}
    incoming: dict[TableKey, list[Reference]] = {}
    for ref in references:
        outgoing.setdefault(ref.source, []).append(ref)
        incoming.setdefault(ref.target, []).append(ref)

    tables: dict[str, list[Table]] = {}
    for key in sorted(relations):
        row = relations[key]
        if key in is_partition or row["kind"] not in TABLE_KINDS:
            continue
        constraints = tuple(
            Constraint(str(c["name"]), str(c["type"]), str(c["definition"]), c.get("comment"))
            for c in sorted(by_table["constraints"].get(key, ()), key=lambda c: (c["type"] != "p", c["name"]))
        )
        pk = next((key_columns(c.definition) for c in constraints if c.kind == "p"), ())
        table = Table(
            key[0], key[1], str(row["kind"]), row.get("comment"),
            _ordered(columns_of[key], (column_order or {}).get(key, ())), pk, constraints,
            tuple(
                Index(str(i["name"]), str(i["definition"]), index_columns(str(i["definition"])), i.get("comment"))
                for i in sorted(by_table["indexes"].get(key, ()), key=lambda i: i["name"]) if not i.get("parent")
            ),
            tuple(Trigger(str(t["name"]), str(t["definition"]), t.get("enabled") != "D")
                  for t in sorted(by_table["triggers"].get(key, ()), key=lambda t: t["name"])),
            tuple(Policy(str(p["name"]), str(p["permissive"]), tuple(sorted(p.get("roles") or ())), str(p["cmd"]),
                         p.get("qual"), p.get("with_check"))
                  for p in sorted(by_table["policies"].get(key, ()), key=lambda p: p["name"])),
            bool(row.get("rls")), row.get("partition_key"), tuple(sorted(partitions.get(key, ()))),
            _policy_note(desired, *key), row.get("definition"),
            tuple(outgoing.get(key, ())), tuple(incoming.get(key, ())),
        )
        tables.setdefault(key[0], []).append(table)

    taken: set[str] = set()
    sections: list[Section] = []
    if desired.project is not None:
        for service in desired.services:
            sections.append(Section(
                _slug(service.name, taken), service.name, service.schema, service.manifest.description,
                service.manifest.role, tuple(tables.get(service.schema, ())),
            ))
    else:
        for schema in sorted(tables):
            sections.append(Section(_slug(schema, taken), schema, schema, "", None, tuple(tables[schema])))

    schema_rows = [r for r in snapshot.rows("schemas") if shown(str(r["name"]))]
    grants = _grants(schema_rows, True) + _grants(
        (relations[k] for k in sorted(relations) if k not in is_partition and relations[k]["kind"] in TABLE_KINDS),
        False,
    )
    enums = tuple(
        (f"{r['schema']}.{r['name']}", tuple(r.get("labels") or ()))
        for r in snapshot.rows("types") if r["kind"] == "e" and shown(str(r["schema"]))
    )
    return Database(
        title,
        tuple(sections),
        tuple(references),
        tuple(sorted(grants, key=lambda g: (g.role, g.schema, g.table))),
        tuple(sorted((str(r["name"]), str(r["owner"])) for r in schema_rows)),
        tuple(sorted(enums)),
        tuple(sorted((str(r["name"]), str(r["schema"])) for r in snapshot.rows("extensions"))),
    )
