"""Issue 20: the declared distribution, derived from FlatRender's manifests (no database needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SCHEMA_DIR

from flatrender_schema.citus.declared import declared_for
from flatrender_schema.desired import load_desired
from flatrender_schema.errors import InputError


def _enable(tmp_path: Path, citus: str = "citus:\n  enabled: true\n") -> Path:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    (schema / "schema.yaml").write_text((schema / "schema.yaml").read_text() + citus)
    return schema


def test_citus_is_off_unless_enabled() -> None:
    assert declared_for(load_desired(SCHEMA_DIR)) is None


def test_flatrender_default_placement(tmp_path: Path) -> None:
    declared = declared_for(load_desired(_enable(tmp_path)))
    assert declared is not None
    placed = {p.qualified: (p.kind, p.column, p.why) for p in declared.placements}
    assert placed["identity.tenants"] == ("distributed", "id", "tenant root")
    assert placed["identity.users"] == ("distributed", "tenant_id", "tenant column")
    assert placed["render.nodes"] == ("reference", None, "tenant exempt")
    assert placed["render.node_template_cache"] == ("reference", None, "tenant exempt")
    assert placed["render.node_health_logs"] == ("local", None, "partitioned exempt")
    assert placed["identity.tenant_api_request_logs"][:2] == ("distributed", "tenant_id")
    assert not any("_2026_" in name for name in placed)  # partitions follow their parent
    assert len(placed) == 55
    assert declared.settings.shard_count == 32


def test_service_overrides_win(tmp_path: Path) -> None:
    schema = _enable(tmp_path, "citus:\n  enabled: true\n  shard_count: 8\n")
    manifest = schema / "identity" / "service.yaml"
    manifest.write_text(manifest.read_text() + "citus:\n  reference: [tenants]\n  local: [plans]\n"
                        "  distributed: {tenant_branding: tenant_id}\n")
    declared = declared_for(load_desired(schema))
    assert declared is not None
    assert declared.of(("identity", "tenants")).kind == "reference"  # type: ignore[union-attr]
    assert declared.of(("identity", "plans")).kind == "local"  # type: ignore[union-attr]
    assert declared.of(("identity", "tenant_branding")).why == "override"  # type: ignore[union-attr]
    assert declared.settings.shard_count == 8


@pytest.mark.parametrize(("where", "text", "message"), [
    ("schema.yaml", "citus:\n  enabled: true\n  shards: 4\n", "citus.shards: unknown key"),
    ("schema.yaml", "citus:\n  shard_count: 0\n", "citus.shard_count"),
    ("identity/service.yaml", "citus:\n  reference: [tenants]\n  local: [tenants]\n", "listed both"),
    ("identity/service.yaml", "citus:\n  distributed: {users: Tenant-Id}\n", "plain lower-case name"),
])
def test_bad_citus_sections_are_reported_with_their_line(tmp_path: Path, where: str, text: str, message: str) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    path = schema / where
    before = len(path.read_text().splitlines())
    path.write_text(path.read_text() + text)
    with pytest.raises(InputError) as caught:
        load_desired(schema)
    assert message in caught.value.message
    assert caught.value.location is not None and caught.value.location.line is not None
    assert caught.value.location.line > before
