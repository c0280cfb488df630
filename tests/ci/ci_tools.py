"""Locate the CI linters the `test` extra installs (actionlint, shellcheck) and the action schema."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

BIN = Path(sys.executable).parent
EXPR = re.compile(r"\$\{\{.*?\}\}", re.S)


def tool(name: str) -> str:
    """The venv's copy first (`pip install -e '.[test]'`), then PATH; a missing tool fails the test."""
    found = BIN / name if (BIN / name).exists() else shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]' (see pyproject.toml)"
    return str(found)


def actionlint(*paths: Path | str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """actionlint over workflow files, with shellcheck on every `run:` script."""
    return subprocess.run(
        [tool("actionlint"), "-no-color", "-shellcheck", tool("shellcheck"), *map(str, paths)],
        capture_output=True, text=True, cwd=str(cwd), timeout=120,
    )


def shellcheck_text(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """shellcheck a `run:` body as GitHub runs it (bash -e), `${{ }}` replaced by a plain word."""
    body = EXPR.sub("EXPR", script)
    return subprocess.run(
        [tool("shellcheck"), "--shell=bash", "-"], input=body, capture_output=True, text=True,
        cwd=str(cwd), timeout=60,
    )


def action_schema() -> dict[str, Any]:
    """SchemaStore's action-metadata schema, as vendored by check-jsonschema (`github-actions`)."""
    import check_jsonschema

    path = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor" / "github-actions.json"
    return json.loads(path.read_text(encoding="utf-8"))


def load_yaml(path: Path) -> Any:
    """Safe YAML as GitHub reads it: YAML 1.1 turns a bare `on:` key into True; GitHub means "on"."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and True in data:
        data["on"] = data.pop(True)
    return data
