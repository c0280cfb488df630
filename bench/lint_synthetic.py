"""A deterministic synthetic schema tree for benchmarking `schema lint`: N tables over 6 services.

Each table looks like FlatRender's: uuid primary key, tenant_id, in-schema foreign keys with their
indexes, named constraints, comments, and every tenth table a declared soft reference into another
service. The tree lints clean, so the benchmark measures checking, not reporting.
`python bench/lint_synthetic.py OUT_DIR [TABLES]`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

SERVICES = ("identity", "content", "studio", "render", "file_mgr", "notification")
TABLES_PER_FILE = 10


def _table(schema: str, n: int, soft_target: str | None) -> str:
    name = f"t{n:05d}"
    parent = f"t{n - 1:05d}" if n % TABLES_PER_FILE else None
    cols = [
        "    id          uuid        NOT NULL DEFAULT gen_random_uuid()",
        "    tenant_id   uuid        NOT NULL",
        "    name        text        NOT NULL",
        "    status      text        NOT NULL DEFAULT 'active'",
        "    data        jsonb       NOT NULL DEFAULT '{}'",
        "    created_at  timestamptz NOT NULL DEFAULT now()",
        "    updated_at  timestamptz NOT NULL DEFAULT now()",
    ]
    cons = [f"    CONSTRAINT {name}_pkey PRIMARY KEY (id)",
            f"    CONSTRAINT {name}_name_check CHECK (char_length(name) BETWEEN 1 AND 200)",
            f"    CONSTRAINT {name}_status_check CHECK (status IN ('active', 'archived'))"]
    after = [f"CREATE INDEX {name}_tenant_id_idx ON {schema}.{name} (tenant_id);"]
    if parent:
        cols.append("    parent_id   uuid")
        cons.append(f"    CONSTRAINT {name}_parent_id_fkey FOREIGN KEY (parent_id)\n"
                    f"        REFERENCES {schema}.{parent} (id) ON DELETE CASCADE")
        after.append(f"CREATE INDEX {name}_parent_id_idx ON {schema}.{name} (parent_id);")
    if soft_target:
        cols.append("    ref_id      uuid")
        after.append(f"COMMENT ON COLUMN {schema}.{name}.ref_id IS 'soft reference -> {soft_target}: bench';")
    after.append(f"COMMENT ON TABLE {schema}.{name} IS 'Synthetic table {n}.';")
    body = ",\n".join(cols + cons)
    return f"CREATE TABLE {schema}.{name} (\n{body}\n);\n\n" + "\n".join(after) + "\n"


def generate(out: Path, tables: int) -> Path:
    """Write schema.yaml and the services under `out`; returns `out`."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "schema.yaml").write_text(yaml.safe_dump({"version": 1, "postgres": 15, "owner": "bench_owner",
                                                     "services": list(SERVICES)}, sort_keys=False))
    per_service: dict[str, list[int]] = {s: [] for s in SERVICES}
    for n in range(tables):
        per_service[SERVICES[(n // TABLES_PER_FILE) % len(SERVICES)]].append(n)
    for index, service in enumerate(SERVICES):
        directory = out / service
        directory.mkdir(exist_ok=True)
        other = SERVICES[(index + 1) % len(SERVICES)]
        other_first = per_service[other][0] if per_service[other] else None
        soft: dict[str, str] = {}
        numbers = per_service[service]
        for start in range(0, len(numbers), TABLES_PER_FILE):
            chunk = numbers[start : start + TABLES_PER_FILE]
            parts = []
            for n in chunk:
                target = None
                if n % 10 == 5 and other_first is not None:
                    target = f"{other}.t{other_first:05d}.id"
                    soft[f"t{n:05d}.ref_id"] = target
                parts.append(_table(service, n, target))
            text = f"-- {service}: synthetic tables\n\n" + "\n\n".join(parts)
            (directory / f"f{chunk[0]:05d}.sql").write_text(text)
        manifest = {"schema": service, "role": f"{service}_svc", "soft_references": soft}
        (directory / "service.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    return out


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 2000)
