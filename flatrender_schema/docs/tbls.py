"""The database in tbls's `schema.json` format (k1LoW/tbls, its published JSON Schema), so tbls and
the tools around it read our desired state. Soft references are tbls's "virtual" relations."""

from __future__ import annotations

import json
from typing import Any

from flatrender_schema.docs.definitions import key_columns, parse_foreign_key
from flatrender_schema.docs.model import Database, Reference, Table

TABLE_TYPES = {"r": "BASE TABLE", "p": "BASE TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "f": "FOREIGN TABLE"}
CONSTRAINT_TYPES = {"p": "PRIMARY KEY", "u": "UNIQUE", "f": "FOREIGN KEY", "c": "CHECK", "x": "EXCLUSION",
                    "t": "TRIGGER"}


def _comment(out: dict[str, Any], value: str | None) -> dict[str, Any]:
    if value:
        out["comment"] = value
    return out


def _table(table: Table) -> dict[str, Any]:
    constraints = []
    for c in table.constraints:
        entry: dict[str, Any] = {"name": c.name, "type": CONSTRAINT_TYPES.get(c.kind, c.kind), "def": c.definition,
                                 "table": table.qualified, "columns": list(key_columns(c.definition))
                                 if c.kind in ("p", "u") else []}
        fk = parse_foreign_key(c.definition) if c.kind == "f" else None
        if fk is not None:
            entry["columns"] = list(fk.columns)
            entry["referenced_table"] = f"{fk.target_schema or 'public'}.{fk.target_table}"
            entry["referenced_columns"] = list(fk.target_columns)
        constraints.append(_comment(entry, c.comment))
    out: dict[str, Any] = {
        "name": table.qualified,
        "type": TABLE_TYPES[table.kind],
        "columns": [
            _comment({"name": c.name, "type": c.type, "nullable": c.nullable, "default": c.default}, c.comment)
            for c in table.columns
        ],
        "indexes": [_comment({"name": i.name, "def": i.definition, "table": table.qualified,
                              "columns": list(i.columns)}, i.comment) for i in table.indexes],
        "constraints": constraints,
        "triggers": [{"name": t.name, "def": t.definition} for t in table.triggers],
        "def": table.definition or "",
        "referenced_tables": sorted({f"{r.target[0]}.{r.target[1]}" for r in table.references}),
    }
    return _comment(out, table.comment)


def _relation(ref: Reference) -> dict[str, Any]:
    out: dict[str, Any] = {
        "table": f"{ref.source[0]}.{ref.source[1]}",
        "columns": list(ref.columns),
        "cardinality": "zero_or_one" if ref.unique else "zero_or_more",
        "parent_table": f"{ref.target[0]}.{ref.target[1]}",
        "parent_columns": list(ref.target_columns),
        "parent_cardinality": "zero_or_one" if ref.nullable else "exactly_one",
        "def": ref.definition + (f": {ref.note}" if ref.note else ""),
    }
    if ref.kind == "soft":
        out["virtual"] = True
    return out


def tbls_schema(db: Database) -> str:
    data: dict[str, Any] = {
        "name": db.title,
        "tables": [_table(t) for t in db.tables],
        "relations": [_relation(r) for r in db.references],
        "enums": [{"name": name, "values": list(labels)} for name, labels in db.enums],
        "driver": {"name": "postgres", "meta": {"search_paths": ["pg_catalog"]}},
    }
    # One line per table and relation: diffs stay per object, and json's C encoder does the work
    # (with `indent` it falls back to pure Python: seconds at 2,000 tables).
    out = ["{"]
    for n, (key, value) in enumerate(data.items()):
        comma = "," if n < len(data) - 1 else ""
        if isinstance(value, list) and value:
            items = ",\n".join("    " + _compact(v) for v in value)
            out.append(f"  {_compact(key)}: [\n{items}\n  ]{comma}")
        else:
            out.append(f"  {_compact(key)}: {_compact(value)}{comma}")
    return "\n".join([*out, "}"]) + "\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
