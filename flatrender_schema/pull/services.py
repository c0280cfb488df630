"""The services layout: manifests inferred from live, and the SQL without what they derive.

`schema.yaml`: extensions, the owner role, the services, a partition policy read from the monthly
partitions that exist. One `service.yaml` per schema: its role (the one holding USAGE on the schema and
DML on all its tables: the service-role convention), soft references read back from `soft reference ->`
column comments, cross-schema reads from SELECT grants, hard cross-schema foreign keys, partitioned
tables with their key and first month, and tables without tenant_id listed for the user to give reasons.
What does not fit the convention is reported in the notes, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flatrender_schema.acl import parse_aclitem
from flatrender_schema.declare import next_month
from flatrender_schema.manifest import IDENT, QUALIFIED_COLUMN
from flatrender_schema.pull.layout import safe_name
from flatrender_schema.pull.read import LiveCatalog
from flatrender_schema.pull.render import Block

SOFT_REFERENCE = re.compile(rf"^soft reference -> ({IDENT}\.{IDENT}\.{IDENT})\b")
MONTHLY_BOUND = re.compile(
    r"^FOR VALUES FROM \('(\d{4})-(\d{2})-01 00:00:00\+00'\) TO \('(\d{4})-(\d{2})-01 00:00:00\+00'\)$"
)
RANGE_KEY = re.compile(rf"^RANGE \(({IDENT})\)$")
PLAIN_NAME = re.compile(rf"^{IDENT}$")
DML = frozenset("arwd")
EXEMPT_REASON = "pulled: this table has no tenant_id; give the reason it is exempt"


@dataclass
class Services:
    """The manifests as plain data (what is written as YAML), and where each schema's SQL goes."""

    project: dict[str, Any]
    services: dict[str, dict[str, Any]]  # directory -> service.yaml
    directory_of: dict[str, str]  # schema -> directory
    left_out: set[tuple[str, str]] = field(default_factory=set)  # (schema, relation): policy partitions
    notes: list[str] = field(default_factory=list)

    def keeps(self, block: Block) -> bool:
        if block.derived or block.schema is None:
            return False
        if block.schema not in self.directory_of:
            return False
        return (block.schema, block.obj) not in self.left_out


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def infer_services(cat: LiveCatalog, today: dt.date, ignore: tuple[str, ...] = ()) -> Services:
    notes: list[str] = []
    relations = list(cat.of("relations"))
    schemas = sorted(s["schema"] for s in cat.of("schemas") if s["schema"] != "public")
    directory_of = {s: safe_name(s) for s in schemas}
    for rel in relations:
        if rel["schema"] == "public":
            notes.append(f"left out: public.{rel['name']} (the services layout manages the services' schemas only)")
    for f in cat.of("functions"):
        if f["schema"] == "public":
            notes.append(f"left out: {f['signature']} (in public)")

    owners = Counter(r["owner"] for r in relations if r["schema"] in directory_of)
    owners.update(s["owner"] for s in cat.of("schemas") if s["schema"] in directory_of)
    owner = owners.most_common(1)[0][0] if owners else None
    if owner is not None and (owner == cat.current_user or owner.startswith("pg_")):
        owner = None  # objects owned by whoever builds them: nothing to declare
    if len(owners) > 1:
        notes.append(
            f"objects have several owners ({', '.join(sorted(owners))}); schema.yaml declares "
            f"{owner or 'none'}, the others will differ"
        )

    columns: dict[int, dict[str, dict[str, Any]]] = {}
    for col in cat.of("columns"):
        columns.setdefault(col["relid"], {})[col["name"]] = col
    by_oid = {r["oid"]: r for r in relations}
    tables = {(r["schema"], r["name"]): r for r in relations if r["kind"] in ("r", "p")}

    partitioned, left_out, ahead = _partitions(relations, tables, today, notes)
    premake = max(0, min(ahead)) if ahead else 3
    used_roles: set[str] = set()
    services: dict[str, dict[str, Any]] = {}
    for schema in schemas:
        manifest: dict[str, Any] = {"schema": schema}
        role = _service_role(cat, schema, tables, owner)
        if role is None or role in used_roles:
            role = f"{schema}_svc"
            notes.append(
                f"{schema}: no role follows the service-role convention (USAGE on the schema, "
                f"DML on all its tables); service.yaml names {role}"
            )
        used_roles.add(role)
        manifest["role"] = role
        exempt = {
            name: EXEMPT_REASON
            for (s, name), r in sorted(tables.items())
            if s == schema and not r["is_partition"] and "tenant_id" not in columns.get(r["oid"], {})
        }
        if exempt:
            manifest["tenant_exempt"] = exempt
        soft = {}
        for (s, name), r in sorted(tables.items()):
            if s != schema:
                continue
            for col in sorted(columns.get(r["oid"], {}).values(), key=lambda c: c["num"]):
                m = SOFT_REFERENCE.match(col["comment"] or "")
                if m and PLAIN_NAME.match(name) and PLAIN_NAME.match(col["name"]):
                    soft[f"{name}.{col['name']}"] = m.group(1)
        if soft:
            manifest["soft_references"] = soft
        reads = _reads(cat, schema, role)
        if reads:
            manifest["reads"] = reads
        fks = {}
        for k in cat.of("constraints"):
            rel = by_oid.get(k["relid"])
            if rel is None or rel["schema"] != schema or k["type"] != "f" or rel["is_partition"]:
                continue
            target = k["references_column"]
            if target and target.split(".")[0] != schema and len(k["columns"] or ()) == 1:
                if QUALIFIED_COLUMN.match(target) and PLAIN_NAME.match(rel["name"]):
                    fks[f"{rel['name']}.{k['columns'][0]}"] = target
        if fks:
            manifest["cross_schema_fks"] = dict(sorted(fks.items()))
        mine = {t: spec for (s, t), spec in partitioned.items() if s == schema}
        if mine:
            manifest["partitioned"] = dict(sorted(mine.items()))
        services[directory_of[schema]] = manifest

    project: dict[str, Any] = {"version": 1, "postgres": max(15, cat.major)}
    if owner:
        project["owner"] = owner
    extensions = []
    for ext in sorted(cat.of("extensions"), key=lambda e: e["name"]):
        entry = {"name": ext["name"], "schema": ext["schema"]}
        if ext["version"] != ext["default_version"]:
            entry["version"] = ext["version"]
        extensions.append(entry)
    if extensions:
        project["extensions"] = extensions
    project["services"] = [directory_of[s] for s in schemas]
    project["partition_policy"] = {"interval": "month", "premake": min(premake, 36)}
    project["ignore"] = list(ignore)
    return Services(project, services, directory_of, left_out, notes)


def _acl(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        grantee, privs = parse_aclitem(item)
        out[grantee] = out.get(grantee, "") + privs.replace("*", "")
    return out


def _service_role(cat: LiveCatalog, schema: str, tables: dict[tuple[str, str], Any], owner: str | None) -> str | None:
    row = next(s for s in cat.of("schemas") if s["schema"] == schema)
    candidates = sorted(g for g, p in _acl(row["acl"]).items() if "U" in p and g not in ("", row["owner"], owner))
    mine = [t for (s, _), t in tables.items() if s == schema]
    for role in candidates:
        if all(set(_acl(t["acl"]).get(role, "")) >= DML for t in mine):
            return role
    return None


def _reads(cat: LiveCatalog, schema: str, role: str) -> list[str]:
    out = []
    for rel in cat.of("relations"):
        if rel["schema"] in (schema, "public") or rel["kind"] not in ("r", "p", "v", "m"):
            continue
        if "r" in _acl(rel["acl"]).get(role, "") and PLAIN_NAME.match(rel["schema"]) and PLAIN_NAME.match(rel["name"]):
            out.append(f"{rel['schema']}.{rel['name']}")
    return sorted(out)


def _partitions(
    relations: list[dict[str, Any]], tables: dict[tuple[str, str], Any], today: dt.date, notes: list[str]
) -> tuple[dict[tuple[str, str], dict[str, str]], set[tuple[str, str]], list[int]]:
    """Declared partitioned tables (monthly range partitions named <table>_YYYY_MM), the partitions
    the policy makes (left out of the SQL: all but the first), and each table's months ahead of today."""
    declared: dict[tuple[str, str], dict[str, str]] = {}
    left_out: set[tuple[str, str]] = set()
    ahead: list[int] = []
    this_month = today.replace(day=1)
    for (schema, name), parent in sorted(tables.items()):
        if parent["kind"] != "p" or parent["is_partition"]:
            continue
        key = RANGE_KEY.match(parent["partition_key"] or "")
        monthly: dict[dt.date, str] = {}
        for r in relations:
            if r["first_parent"] != f"{schema}.{name}":
                continue
            m = MONTHLY_BOUND.match(r["partition_bound"] or "")
            if not m:
                continue
            start, end = dt.date(int(m[1]), int(m[2]), 1), dt.date(int(m[3]), int(m[4]), 1)
            if end == next_month(start) and r["name"] == f"{name}_{start:%Y_%m}":
                monthly[start] = r["name"]
        if not key or not monthly or not PLAIN_NAME.match(name):
            notes.append(
                f"{schema}.{name} is partitioned but not by month on one column: its partitions "
                "are written in SQL (undeclared: lint PT102 will ask for a declaration)"
            )
            continue
        first = min(monthly)
        declared[(schema, name)] = {"key": key.group(1), "initial": f"{first:%Y-%m}"}
        month, last = first, first
        while month in monthly:
            last, month = month, next_month(month)
        gaps = [m for m in monthly if m > last]
        if gaps:
            notes.append(
                f"{schema}.{name}: monthly partitions after a gap ({min(gaps):%Y-%m}) are ops-created "
                "as far as the policy knows; the months missing before them will be planned"
            )
        ahead.append(_months_between(this_month, last))
        left_out.update((schema, p) for m, p in monthly.items() if m != first)
    return declared, left_out, ahead
