"""Issue 8, acceptance 4: the README's "Use it in CI" snippets, tried as a new user would.

The snippets are extracted from README.md (so the README cannot drift from what works), validated
(YAML, actionlint, hook ids), then wired into a scratch git repository holding a copy of schema/:
the pre-commit hook through `pre-commit try-repo`, the pull-request workflow and the deploy workflow
step by step (tests/ci/actrunner.py) against the suite's PostgreSQL and a loopback fake GitHub API.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from actrunner import Run, dump
from ci_tools import actionlint, load_yaml, tool
from conftest import REPO, SCHEMA_DIR, run_cli
from fake_github import Repo, serve

from flatrender_schema.ci.comment import MARKER

SECTION = "## Use it in CI"
PASSWORD = "TopSecret-8f3a"
TOKEN = "ghs_readme_fake_token_42"


def snippets() -> dict[str, str]:
    """File path -> fenced YAML block, for each block of the section (path named in backticks before it)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, f"README.md has no {SECTION!r} section"
    section = text.split(SECTION, 1)[1]
    section = re.split(r"\n## ", section, maxsplit=1)[0]
    found: dict[str, str] = {}
    for m in re.finditer(r"```yaml\n(.*?)```", section, re.S):
        before = section[: m.start()]
        names = re.findall(r"`([\w./-]+\.ya?ml)`", before)
        assert names, f"no file name before the block at offset {m.start()}"
        found[names[-1]] = m.group(1)
    return found


def _scratch(tmp_path: Path) -> Path:
    """A new user's repository: git, schema/ copied, the README's snippets at their paths."""
    repo = tmp_path / "app"
    repo.mkdir()
    shutil.copytree(SCHEMA_DIR, repo / "schema")
    for name, body in snippets().items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(body)
    git = ["git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "schema as code"], cwd=repo, check=True)
    return repo


def _with_password(url: str) -> str:
    """The suite's cluster trusts its socket; a password in the URL is unused, but must never be printed."""
    return re.sub(r"^(postgresql://[^@:/]+)@", rf"\1:{PASSWORD}@", url)


def test_the_section_has_the_three_snippets() -> None:
    found = snippets()
    assert set(found) == {".pre-commit-config.yaml", ".github/workflows/schema-plan.yml",
                          ".github/workflows/schema-apply.yml"}
    for body in found.values():
        assert isinstance(yaml.safe_load(body), dict)


def test_workflow_snippets_pass_actionlint(tmp_path: Path) -> None:
    repo = _scratch(tmp_path)
    done = actionlint(".github/workflows/schema-plan.yml", ".github/workflows/schema-apply.yml", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflow_snippets_use_the_actions_inputs_and_outputs() -> None:
    action = load_yaml(REPO / "action.yml")
    for name, body in snippets().items():
        if not name.startswith(".github/"):
            continue
        for job in yaml.safe_load(body)["jobs"].values():
            for step in job["steps"]:
                if "flatrender-schema@" in str(step.get("uses", "")):
                    assert set(step.get("with", {})) <= set(action["inputs"]), step
        for output in re.findall(r"steps\.plan\.outputs\.([\w-]+)", body):
            assert output in action["outputs"], output


def test_pre_commit_snippet_names_a_published_hook() -> None:
    config = yaml.safe_load(snippets()[".pre-commit-config.yaml"])
    published = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    ids = {h["id"] for r in config["repos"] for h in r["hooks"]}
    assert ids and ids <= published, ids - published
    assert all(r["repo"].rstrip("/").endswith("/flatrender-schema") for r in config["repos"])


def test_pre_commit_hook_runs_in_a_new_repository(tmp_path: Path) -> None:
    """`pre-commit try-repo` installs the hook from this checkout as pre-commit would from the tag."""
    repo = _scratch(tmp_path)
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    for hook in (h["id"] for r in config["repos"] for h in r["hooks"]):
        cmd = [tool("pre-commit"), "try-repo", str(REPO), hook, "--all-files"]
        done = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, env=env, timeout=600)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "Passed" in done.stdout
        # A violation now fails the commit, with file:line and the rule code.
        (repo / "schema" / "content" / "zz_bad.sql").write_text("CREATE TABLE bad (id int);\n")
        subprocess.run(["git", "add", "."], cwd=repo, check=True)
        failed = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, env=env, timeout=600)
        assert failed.returncode == 1, failed.stdout[-3000:]
        assert "zz_bad.sql:1" in failed.stdout and "SC101" in failed.stdout


def _no_secrets(run: Run) -> None:
    for r in run.results:
        assert PASSWORD not in r.stdout + r.stderr, r.name
        assert TOKEN not in r.stdout + r.stderr, r.name
        assert all(PASSWORD not in v for v in r.outputs.values())


def test_plan_then_deploy_workflows_wire_up(tmp_path: Path, dbs, server_url: str) -> None:
    """The PR workflow: lint, plan (exit 2, changes), one comment, plan.json artifact. The deploy:
    applies exactly that plan; run again, the same plan is refused as drift, loudly, nothing applied."""
    repo = _scratch(tmp_path)
    target = _with_password(dbs.create("readme"))
    dev = _with_password(server_url)
    github_api = Repo(TOKEN)
    github_api.add(5, "reviewer: please check the render service")
    plan_wf = yaml.safe_load((repo / ".github/workflows/schema-plan.yml").read_text())
    apply_wf = yaml.safe_load((repo / ".github/workflows/schema-apply.yml").read_text())
    with serve(github_api) as base:
        env = {"GITHUB_API_URL": base, "GITHUB_REPOSITORY": "acme/app"}
        pr = Run(repo, REPO, secrets={"SCHEMA_PLAN_DATABASE_URL": target, "SCHEMA_DEV_URL": dev,
                                      "GITHUB_TOKEN": TOKEN},
                 github={"event": {"pull_request": {"number": 5}}, "token": TOKEN}, env=dict(env))
        results = pr.job(plan_wf, "plan")
        log = dump(results)
        assert not pr.failed, log
        assert pr.steps["plan"]["exit-code"] == "2", log
        assert (pr.artifacts / "schema-plan" / "plan.json").is_file(), log
        ours = [c for c in github_api.comments[5] if str(c["body"]).startswith(MARKER)]
        assert len(ours) == 1 and "to create" in str(ours[0]["body"]), log
        # A push to the pull request: the same comment is updated, not a second one.
        again = Run(repo, REPO, secrets=pr.secrets, github=pr.github, env=dict(env))
        again.job(plan_wf, "plan")
        assert len([c for c in github_api.comments[5] if str(c["body"]).startswith(MARKER)]) == 1
        _no_secrets(pr)

    deploy = Run(repo, REPO, secrets={"DATABASE_URL": target}, github={"token": TOKEN},
                 artifacts=pr.artifacts, stub_outputs={"reviewed": {"run-id": "1"}})
    log = dump(deploy.job(apply_wf, "apply"))
    assert not deploy.failed, log
    assert "Applied" in log
    # The target now matches the desired state.
    check = run_cli("plan", "--database-url", target, "--dev-url", dev, cwd=repo)
    assert check.returncode == 0, check.stdout + check.stderr

    # The same reviewed plan again: production no longer matches it -> refused, loudly.
    redeploy = Run(repo, REPO, secrets={"DATABASE_URL": target}, github={"token": TOKEN},
                   artifacts=pr.artifacts, stub_outputs={"reviewed": {"run-id": "1"}})
    results = redeploy.job(apply_wf, "apply")
    log = dump(results)
    assert redeploy.failed, log
    assert results[-1].outputs.get("exit-code") == "1", log
    assert "::error title=schema apply refused or failed::refusing to apply" in results[-1].stdout, log
    assert "drift" in results[-1].stdout
    _no_secrets(deploy)
    _no_secrets(redeploy)


@pytest.mark.parametrize("command", ["lint", "bogus"])
def test_the_action_alone(tmp_path: Path, command: str) -> None:
    repo = _scratch(tmp_path)
    run = Run(repo, REPO)
    result = run.step({"id": "x", "uses": "flatrender/flatrender-schema@v0.1.0", "with": {"command": command}})
    assert result is not None
    if command == "lint":
        assert result.returncode == 0 and result.outputs["exit-code"] == "0", dump(run.results)
    else:
        assert result.returncode == 1 and "must be lint, plan or apply" in result.stdout
