"""Rule cases as data files: tests/lint/cases/<CODE>/{fail,pass}.sql, expectations as comments.

A line carrying `-- expect: CODE` (or `-- expect: CODE@col`, several separated by commas) must
yield exactly that finding on that line; every other line must yield none. The case is linted with
only its own code selected. `case.yaml` (or `fail.yaml` / `pass.yaml`, which replace it for one
file) describes the schema directory the file is placed in:

    service: app                  # the service directory the .sql goes in (default: app)
    services:                     # service.yaml per service (default: app with schema app)
      app: {schema: app, role: app_svc}
    support:                      # extra SQL per service (its own file, linted too)
      other: "CREATE TABLE other.t (...);"
    expect_manifest: [TN102]      # findings located in a service.yaml (fail file only)
    project: {citus: {enabled: true}}   # extra keys of schema.yaml
    plain: true                   # lint the file as plain SQL, no schema directory
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from flatrender_schema.lint import LintOptions, run_lint

CASES = Path(__file__).parent / "cases"
EXPECT = re.compile(r"--\s*expect:\s*(?P<codes>[A-Z]{2}\d{3}(?:@\d+)?(?:\s*,\s*[A-Z]{2}\d{3}(?:@\d+)?)*)")
DEFAULT_SERVICES = {"app": {"schema": "app", "role": "app_svc"}}


def _case_files() -> list[Path]:
    return sorted(CASES.glob("*/*.sql"))


def _spec(sql: Path) -> dict[str, Any]:
    for name in (f"{sql.stem}.yaml", "case.yaml"):
        path = sql.parent / name
        if path.exists():
            return yaml.safe_load(path.read_text()) or {}
    return {}


def _expected(text: str) -> set[tuple[int, str, int | None]]:
    out = set()
    for number, line in enumerate(text.splitlines(), 1):
        m = EXPECT.search(line)
        if m:
            for item in re.split(r"\s*,\s*", m.group("codes")):
                code, _, col = item.partition("@")
                out.add((number, code, int(col) if col else None))
    return out


def _build(sql: Path, spec: dict[str, Any], root: Path) -> tuple[Path | None, Path]:
    if spec.get("plain"):
        target = root / sql.name
        target.write_text(sql.read_text())
        return None, target
    services = spec.get("services") or DEFAULT_SERVICES
    schema_dir = root / "schema"
    schema_dir.mkdir()
    (schema_dir / "schema.yaml").write_text(yaml.safe_dump(
        {"version": 1, "owner": "owner_role", "services": list(services), **(spec.get("project") or {})}))
    for name, manifest in services.items():
        (schema_dir / name).mkdir()
        (schema_dir / name / "service.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    for name, text in (spec.get("support") or {}).items():
        (schema_dir / name / "support.sql").write_text(text)
    target = schema_dir / spec.get("service", "app") / sql.name
    target.write_text(sql.read_text())
    return schema_dir, target


@pytest.mark.parametrize("sql", _case_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(sql: Path, tmp_path: Path) -> None:
    code = sql.parent.name
    spec = _spec(sql)
    schema_dir, target = _build(sql, spec, tmp_path)
    paths = (target,) if schema_dir is None else ()
    report = run_lint(schema_dir, paths, LintOptions(select=frozenset({code})))
    in_file = {(f.location.line, f.code, f.location.col) for f in report.findings
               if Path(f.location.path) == target}
    wanted = _expected(sql.read_text())
    got = {(line, c, col if any(w[:2] == (line, c) and w[2] for w in wanted) else None)
           for line, c, col in in_file}
    assert got == wanted, "\n".join(str(f) for f in report.findings) or "no findings"
    in_manifests = sorted(f.code for f in report.findings if f.location.path.endswith(".yaml"))
    expected_manifest = sorted(spec.get("expect_manifest", [])) if sql.stem == "fail" else []
    assert in_manifests == expected_manifest, "\n".join(str(f) for f in report.findings)
    others = [f for f in report.findings
              if Path(f.location.path) != target and not f.location.path.endswith(".yaml")]
    assert not others, "\n".join(str(f) for f in others)
    if sql.stem == "fail":
        assert report.findings, "a fail case must yield findings"


def test_every_rule_has_a_failing_and_a_passing_case() -> None:
    from flatrender_schema.lint.engine import known_codes

    for code in sorted(known_codes()):
        assert (CASES / code / "fail.sql").exists(), f"{code}: add tests/lint/cases/{code}/fail.sql"
        assert (CASES / code / "pass.sql").exists(), f"{code}: add tests/lint/cases/{code}/pass.sql"
