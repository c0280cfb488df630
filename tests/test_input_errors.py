"""Issue 3, acceptance 4: bad input ends with exit 1 and `path:line: message`, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SCHEMA_DIR, run_cli


def _copy_schema(tmp_path: Path) -> Path:
    dst = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, dst)
    return dst


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _yaml_broken(s: Path) -> str:
    (s / "identity" / "service.yaml").write_text("schema: identity\nrole: [unclosed\n")
    return "identity/service.yaml:3"


def _unknown_key(s: Path) -> str:
    _edit(s / "identity" / "service.yaml", "role: identity_svc", "role: identity_svc\nrolez: typo")
    return "identity/service.yaml:"


def _wrong_type(s: Path) -> str:
    _edit(s / "schema.yaml", "premake: 3", "premake: lots")
    return "schema.yaml:"


def _sql_broken(s: Path) -> str:
    (s / "content" / "zz_broken.sql").write_text("-- broken\nCREATE TABLE content.x (id uuid,,);\n")
    return "content/zz_broken.sql:2:"


def _no_manifest(s: Path) -> str:
    (s / "studio" / "service.yaml").unlink()
    return "studio"


def _schema_claimed_twice(s: Path) -> str:
    _edit(s / "studio" / "service.yaml", "schema: studio", "schema: content")
    return "studio/service.yaml:1"


CASES = {
    "yaml-does-not-parse": _yaml_broken,
    "unknown-manifest-key": _unknown_key,
    "wrong-type": _wrong_type,
    "sql-does-not-parse": _sql_broken,
    "service-without-manifest": _no_manifest,
    "schema-claimed-twice": _schema_claimed_twice,
}


@pytest.mark.parametrize("command", ["plan", "lint"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_clean_error(case: str, command: str, tmp_path: Path) -> None:
    schema = _copy_schema(tmp_path)
    where = CASES[case](schema)
    # An unreachable target: input errors must be reported before any connection is tried.
    r = run_cli(
        command,
        "--schema-dir",
        str(schema),
        *(["--database-url", "postgresql://nobody:pw@127.0.0.1:1/x"] if command == "plan" else []),
    )
    output = r.stdout + r.stderr
    assert r.returncode == 1, output
    assert "Traceback" not in output
    assert where in output, output


def test_unreachable_url_masks_the_password(tmp_path: Path) -> None:
    secret = "Sup3r-Secret-pw"
    r = run_cli("plan", "--database-url", f"postgresql://deploy:{secret}@127.0.0.1:1/flatrender")
    output = r.stdout + r.stderr
    assert r.returncode == 1
    assert secret not in output
    assert "Traceback" not in output
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "cannot connect to deploy@127.0.0.1:1/flatrender" in r.stderr


def test_password_in_env_url_is_masked() -> None:
    secret = "An0ther-Secret"
    r = run_cli("plan", env={"DATABASE_URL": f"host=127.0.0.1 port=1 user=x password={secret} dbname=y"})
    assert r.returncode == 1
    assert secret not in r.stdout + r.stderr
