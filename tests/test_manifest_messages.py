"""Issue 17: the manifests are validated without pydantic (a start-up cost `schema lint` paid on every
commit), with the same messages. `cases/manifests/messages.json` was recorded from the pydantic models
this validator replaced (and, for YAML that does not parse, from the pure-Python YAML parser, whose
messages are kept although libyaml now reads the manifests): for each manifest text, the exact error
(file:line: key: message) or the values."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from flatrender_schema.errors import InputError
from flatrender_schema.manifest import load_project_manifest, load_service_manifest

CASES = json.loads((Path(__file__).parent / "cases" / "manifests" / "messages.json").read_text())


def _data(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _data(v) for k, v in value.items()}
    return [type(value).__name__, value]


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['file']}" for i, c in enumerate(CASES)])
def test_same_message_or_values_as_before(case: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / case["file"]
    path.write_text(case["text"])
    load = load_project_manifest if case["file"] == "schema.yaml" else load_service_manifest
    if "error" in case:
        with pytest.raises(InputError) as info:
            load(path)
        assert str(info.value).replace(str(path), path.name) == case["error"]
    else:
        data = _data(load(path))
        data.pop("citus", None)  # the citus: sections came after the values were recorded (issue 20)
        data.pop("conversions", None)  # so did conversions: (issue 16, tests/test_type_conversions.py)
        assert data == case["value"]


def test_the_lint_path_does_not_import_pydantic() -> None:
    import subprocess
    import sys

    code = "import sys, flatrender_schema.lint, flatrender_schema.desired; print('pydantic' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
