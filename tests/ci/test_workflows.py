"""Issue 8, acceptance 1: every workflow and the action pass actionlint (and a schema); broken ones fail."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from ci_tools import action_schema, actionlint, load_yaml, shellcheck_text, tool
from conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
ACTION = REPO / "action.yml"
SCRIPT = REPO / "scripts" / "action-run.sh"
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)", re.M)


def test_the_three_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "schema-plan.yml", "schema-apply.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_passes(workflow: Path) -> None:
    done = actionlint(workflow.relative_to(REPO), cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr


BROKEN = {
    "unknown-key": "    runs-on: ubuntu-latest\n    stepz: []\n",
    "bad-expression": (
        "    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.nope( }}\n"
    ),
    "unknown-input-of-our-action": (
        "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n"
        "      - uses: ./\n        with:\n          command: plan\n          databse-url: x\n"
    ),
    "missing-required-input": "    runs-on: ubuntu-latest\n    steps:\n      - uses: ./\n",
    "shellcheck-in-run": '    runs-on: ubuntu-latest\n    steps:\n      - run: cd $HOME/x; rm -rf $DIR/*\n',
    "untrusted-input-in-script": (
        "    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{ github.event.pull_request.title }}\"\n"
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_actionlint_fails_on_a_broken_workflow(tmp_path: Path, case: str) -> None:
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ACTION, repo / "action.yml")  # so `uses: ./` resolves to our action's inputs
    (repo / ".git").mkdir()  # actionlint finds the project (and local actions) by its .git
    bad = repo / ".github" / "workflows" / "bad.yml"
    bad.write_text(f"name: bad\non: push\njobs:\n  j:\n{BROKEN[case]}")
    assert yaml.safe_load(bad.read_text()), "the broken workflow is still YAML"
    done = actionlint(bad.relative_to(repo), cwd=repo)
    assert done.returncode == 1, f"actionlint accepted {case}:\n{done.stdout}{done.stderr}"
    assert "bad.yml:" in done.stdout


def test_action_metadata_matches_the_schema() -> None:
    jsonschema.validate(load_yaml(ACTION), action_schema())


@pytest.mark.parametrize(
    "breakage",
    ["no-runs", "runs-using-typo", "input-without-description", "composite-step-without-shell"],
)
def test_the_schema_rejects_broken_action_metadata(breakage: str) -> None:
    action = load_yaml(ACTION)
    if breakage == "no-runs":
        del action["runs"]
    elif breakage == "runs-using-typo":
        action["runs"]["using"] = "composit"
    elif breakage == "input-without-description":
        del action["inputs"]["command"]["description"]
    else:
        del action["runs"]["steps"][1]["shell"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(action, action_schema())


def test_action_contract() -> None:
    """The inputs and outputs the README promises; every `inputs.X` used is declared; the URL is never
    interpolated into a script (only into env), so it cannot be echoed by the shell or injected."""
    action = load_yaml(ACTION)
    assert set(action["inputs"]) == {
        "command", "schema-dir", "database-url", "dev-url", "plan-file", "allow-hazards", "python-version"
    }
    assert {"exit-code", "plan-file"} <= set(action["outputs"])
    text = ACTION.read_text()
    used = set(re.findall(r"inputs\.([a-z-]+)", text))
    assert used <= set(action["inputs"]), used - set(action["inputs"])
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], f"interpolate into env, not into the script: {step['run']}"
    script = SCRIPT.read_text()
    env = {k for s in action["runs"]["steps"] for k in (s.get("env") or {})}
    for var in set(re.findall(r"\$\{?(SCHEMA_[A-Z_]+|DATABASE_URL)\b", script)):
        assert var in env, f"{var} is read by the script but not set by action.yml"
    assert not re.search(r"echo[^\n]*\$\{?DATABASE_URL", script)


def test_shellcheck_passes_on_the_action_scripts() -> None:
    import subprocess

    done = subprocess.run([tool("shellcheck"), str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout
    for step in load_yaml(ACTION)["runs"]["steps"]:
        if "run" in step:
            checked = shellcheck_text(step["run"], REPO)
            assert checked.returncode == 0, checked.stdout


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_third_party_actions_are_pinned(path: Path) -> None:
    for ref in USES.findall(path.read_text()):
        if ref.startswith("./"):
            continue
        assert re.search(r"@(v\d+(\.\d+)*|[0-9a-f]{40})$", ref), f"{path.name}: pin {ref} to a major or a SHA"
