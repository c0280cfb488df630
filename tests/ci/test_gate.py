"""The PR check's hazard gate fails exactly when `schema apply` would refuse the plan."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from flatrender_schema.apply import refused_hazards
from flatrender_schema.hazards import CATALOGUE, Hazard
from flatrender_schema.plan import Plan, Step


def _plan(*codes: str) -> Plan:
    steps = tuple(
        Step(sql=f"select {i}", action="drop" if c == "DELETES_DATA" else "alter", object=f"app.t{i}",
             source="engine", hazards=(Hazard(c, CATALOGUE[c]),))
        for i, c in enumerate(codes)
    )
    return Plan(steps, "sha256:live", "sha256:desired", "results", "0.1.0", 15, "test")


def _gate(tmp_path: Path, plan: Plan, *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "plan.json"
    path.write_text(plan.to_json())
    return subprocess.run([sys.executable, "-m", "flatrender_schema.ci.gate", str(path), *args],
                          capture_output=True, text=True, cwd=str(REPO), timeout=60)


@pytest.mark.parametrize(
    ("codes", "allow", "ok"),
    [
        ((), (), True),
        (("INDEX_BUILD", "TABLE_REWRITE"), (), True),
        (("DELETES_DATA",), (), False),
        (("DELETES_DATA",), ("--allow-hazard", "DELETES_DATA"), True),
        (("DELETES_DATA", "DROPS_SCHEMA"), ("--allow-hazard", "DELETES_DATA"), False),
        (("DELETES_DATA", "DROPS_SCHEMA"), ("--allow-hazard", "DELETES_DATA DROPS_SCHEMA"), True),
        (("DELETES_DATA", "DROPS_SCHEMA"), ("--allow-hazard", "all"), True),
    ],
)
def test_gate_matches_apply(tmp_path: Path, codes: tuple[str, ...], allow: tuple[str, ...], ok: bool) -> None:
    plan = _plan(*codes)
    done = _gate(tmp_path, plan, "--format", "github", *allow)
    assert (done.returncode == 0) is ok, done.stdout + done.stderr
    allowed = {c for v in allow[1:] for c in v.split()}
    assert (not refused_hazards(plan, allowed)) is ok
    if not ok:
        assert "::error title=schema plan hazard::" in done.stdout


def test_gate_bad_plan_file(tmp_path: Path) -> None:
    edited = _plan("DELETES_DATA").to_json().replace("select 0", "select 1")
    path = tmp_path / "plan.json"
    path.write_text(edited)
    done = subprocess.run([sys.executable, "-m", "flatrender_schema.ci.gate", str(path)],
                          capture_output=True, text=True, cwd=str(REPO), timeout=60)
    assert done.returncode == 1 and "edited after it was written" in done.stderr
    assert "Traceback" not in done.stderr
    missing = subprocess.run([sys.executable, "-m", "flatrender_schema.ci.gate", str(tmp_path / "nope.json")],
                             capture_output=True, text=True, cwd=str(REPO), timeout=60)
    assert missing.returncode == 1 and "cannot read the plan" in missing.stderr
