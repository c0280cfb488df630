"""Issue 21: targets.yaml — named targets, URLs from the environment, labels, per-target overrides.

Bad files are cases under tests/cases/fleet_targets/<case>/ (targets.yaml + the expected error's
start, `path:line: message`); the CLI reports them the same way, without a traceback.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from conftest import REPO, SCHEMA_DIR, run_cli

from flatrender_schema import declare
from flatrender_schema.desired import load_desired
from flatrender_schema.errors import InputError
from flatrender_schema.fleet.manifest import load_fleet
from flatrender_schema.fleet.rollout import canaries

CASES = sorted((REPO / "tests" / "cases" / "fleet_targets").iterdir())

GOOD = """\
version: 1
targets:
  eu-1:
    url_env: EU1_DATABASE_URL
    labels: {region: eu, tier: shared}
  eu-2:
    url_env: EU2_DATABASE_URL
    labels: {region: eu, tier: shared}
  us-1:
    url_env: US1_DATABASE_URL
    labels: {region: us, tier: shared}
  acme:
    url: postgresql://deploy@acme-db.internal/flatrender
    labels: {region: us, tier: dedicated}
    premake: 12
"""


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_targets_files_are_refused_with_their_line(case: Path) -> None:
    expected = (case / "error").read_text().strip()
    with pytest.raises(InputError) as err:
        load_fleet(case / "targets.yaml")
    message = str(err.value)
    assert message.startswith(str(case / expected)) or f"{case}/{expected}" in message, message
    assert "hunter2" not in message  # a password written in the file is never echoed


def test_a_bad_targets_file_is_one_clean_line_from_the_cli() -> None:
    case = REPO / "tests" / "cases" / "fleet_targets" / "password_in_url"
    r = run_cli("plan", "--targets", str(case / "targets.yaml"))
    assert r.returncode == 1
    assert "targets.yaml:6: target us: url carries a password" in r.stderr
    assert "Traceback" not in r.stderr and "hunter2" not in r.stderr + r.stdout


def test_select_by_labels_and_names(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(GOOD)
    fleet = load_fleet(path)
    assert fleet.names == ("eu-1", "eu-2", "us-1", "acme")
    assert fleet.select(["region=eu"]).names == ("eu-1", "eu-2")
    assert fleet.select(["region=us", "tier=dedicated"]).names == ("acme",)
    assert fleet.select(["name=eu-2", "name=us-1"]).names == ("eu-2", "us-1")
    with pytest.raises(InputError, match="matches none"):
        fleet.select(["region=apac"])
    with pytest.raises(InputError, match="label=value"):
        fleet.select(["eu"])
    assert [t.name for t in canaries(fleet, ())] == ["eu-1"]
    assert [t.name for t in canaries(fleet, ("tier=dedicated",))] == ["acme"]
    with pytest.raises(InputError, match="no such target"):
        canaries(fleet, ("nowhere",))


def test_urls_come_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(GOOD)
    eu1 = load_fleet(path).targets[0]
    assert eu1.resolve_url({"EU1_DATABASE_URL": "postgresql://x@eu/db"}) == "postgresql://x@eu/db"
    with pytest.raises(InputError, match="EU1_DATABASE_URL is not set") as err:
        eu1.resolve_url({})
    assert "targets.yaml:3" in str(err.value)


def test_premake_override_changes_the_shadow_and_its_fingerprint(tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    (schema / "targets.yaml").write_text(GOOD)
    desired = load_desired(schema)
    acme = load_fleet(schema / "targets.yaml").targets[3]
    eu1 = load_fleet(schema / "targets.yaml").targets[0]
    assert eu1.desired_for(desired) is desired
    mine = acme.desired_for(desired)
    assert mine.project is not None and mine.project.partition_policy.premake == 12
    # A different shadow needs a different cache key and a reviewed plan that says which variant it is.
    assert mine.fingerprint() != desired.fingerprint()
    today = dt.date(2026, 11, 25)
    assert len(declare.declared_partitions(mine, today)) > len(declare.declared_partitions(desired, today))


def test_the_readme_example_is_a_valid_targets_file(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Many databases", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "targets.yaml").write_text(example)
    fleet = load_fleet(tmp_path / "targets.yaml")
    assert fleet.select(["tier=dedicated"]).names == ("reseller-acme", "reseller-globex")
    assert fleet.select(["region=eu", "tier=shared"]).names == ("eu-1", "eu-2")
