"""Run a workflow's steps locally, as a new user's repository would run them on GitHub — enough of it.

Not a GitHub Actions emulator: it runs `run:` steps with bash (-eo pipefail, as GitHub does), runs
our composite action (action.yml: its `run:` steps, inputs mapped through `${{ inputs.X }}`), fakes
checkout/upload/download of artifacts with local copies, and evaluates the few expressions our
snippets use (`secrets.X`, `github.X`, `steps.ID.outputs.X`, `env.X`, `always()`, `failure()`,
`&&`, `||`, `==`, `!=`). Anything else raises, so a snippet cannot silently skip a step here.
Setting up Python and installing the package are skipped: the test suite's venv is already both.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ci_tools import load_yaml

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.S)
PATH = re.compile(r"\b(secrets|github|steps|env|inputs|runner)((?:\.[A-Za-z_][\w-]*)+)")


@dataclass
class StepResult:
    name: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


@dataclass
class Run:
    workspace: Path
    action_dir: Path
    secrets: dict[str, str] = field(default_factory=dict)
    github: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    artifacts: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="artifacts-")))
    stub_outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # step id -> outputs, not run
    steps: dict[str, dict[str, str]] = field(default_factory=dict)
    results: list[StepResult] = field(default_factory=list)
    failed: bool = False

    # -- expressions --------------------------------------------------------------------------------

    def _lookup(self, root: str, dotted: str, extra: dict[str, Any]) -> Any:
        ctx: Any = {"secrets": self.secrets, "github": self.github, "env": self.env,
                    "steps": {k: {"outputs": v} for k, v in self.steps.items()},
                    "runner": {"temp": str(self.workspace.parent)}, **extra}[root]
        for part in dotted.strip(".").split("."):
            ctx = ctx.get(part, "") if isinstance(ctx, dict) else ""
        return ctx

    def value(self, text: str, extra: dict[str, Any] | None = None) -> str:
        def one(m: re.Match[str]) -> str:
            inner = m.group(1)
            path = PATH.fullmatch(inner)
            if not path:
                raise ValueError(f"expression not supported by this runner: {inner}")
            return str(self._lookup(path.group(1), path.group(2), extra or {}))

        return EXPR.sub(one, str(text))

    def condition(self, text: str | None, extra: dict[str, Any] | None = None) -> bool:
        if text is None:
            return not self.failed
        inner = EXPR.sub(lambda m: m.group(1), str(text)).strip()
        uses_status = re.search(r"\b(always|failure|success)\(\)", inner)
        py = PATH.sub(lambda m: repr(self._lookup(m.group(1), m.group(2), extra or {})), inner)
        py = py.replace("&&", " and ").replace("||", " or ")
        py = re.sub(r"!(?!=)", " not ", py)
        py = py.replace("always()", "True").replace("failure()", repr(self.failed))
        py = py.replace("success()", repr(not self.failed))
        if not re.fullmatch(r"[\sA-Za-z0-9_'\"/.:()=!-]*", py):
            raise ValueError(f"condition not supported by this runner: {text}")
        result = bool(eval(py, {"__builtins__": {}}, {}))  # our own snippets, restricted to the above
        return result if uses_status else result and not self.failed

    # -- steps --------------------------------------------------------------------------------------

    def _bash(self, script: str, env: dict[str, str], name: str) -> StepResult:
        with tempfile.NamedTemporaryFile("w", suffix=".out", delete=False) as out:
            output_file = Path(out.name)
        full = {**os.environ, **self.env, **env, "GITHUB_OUTPUT": str(output_file),
                "GITHUB_STEP_SUMMARY": str(self.workspace.parent / "summary.md"), "CI": "true",
                "GITHUB_WORKSPACE": str(self.workspace),
                # What setup-python + pip install leave on PATH: `python` and `schema` of the suite's venv.
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        for k in ("DATABASE_URL", "SCHEMA_DEV_URL"):
            if k not in env and k not in self.env:
                full.pop(k, None)
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                              capture_output=True, text=True, env=full, cwd=str(self.workspace), timeout=900)
        outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
        output_file.unlink()
        return StepResult(name, done.returncode, done.stdout, done.stderr, outputs)

    def _composite(self, step: dict[str, Any], name: str) -> StepResult:
        action = load_yaml(self.action_dir / "action.yml")
        given = {k: self.value(v) for k, v in (step.get("with") or {}).items()}
        unknown = set(given) - set(action["inputs"])
        if unknown:
            raise ValueError(f"{name}: inputs the action does not declare: {sorted(unknown)}")
        inputs = {k: given.get(k, str(spec.get("default", ""))) for k, spec in action["inputs"].items()}
        for k, spec in action["inputs"].items():
            if spec.get("required") and not given.get(k):
                raise ValueError(f"{name}: required input {k} missing")
        extra = {"inputs": inputs, "github": {**self.github, "action_path": str(self.action_dir)}}
        inner: dict[str, dict[str, str]] = {}
        last = StepResult(name, 0, "", "", {})
        out, err = [], []
        for sub in action["runs"]["steps"]:
            if "uses" in sub or sub.get("id") == "install":
                continue  # setup-python and pip install: the suite's venv is both
            env = {k: self.value(v, extra) for k, v in (sub.get("env") or {}).items()}
            env["GITHUB_ACTION_PATH"] = str(self.action_dir)
            last = self._bash(sub["run"], env, f"{name} / {sub.get('name', sub.get('id'))}")
            out.append(last.stdout)
            err.append(last.stderr)
            if sub.get("id"):
                inner[sub["id"]] = last.outputs
            if last.returncode:
                break
        saved = self.steps
        self.steps = inner
        outputs = {k: self.value(spec["value"]) for k, spec in action.get("outputs", {}).items()}
        self.steps = saved
        return StepResult(name, last.returncode, "".join(out), "".join(err), outputs)

    def step(self, step: dict[str, Any]) -> StepResult | None:
        name = str(step.get("name") or step.get("id") or step.get("uses") or step.get("run", "")[:40])
        if not self.condition(step.get("if")):
            return None
        sid = step.get("id")
        if sid in self.stub_outputs:
            result = StepResult(name, 0, "", "", self.stub_outputs[sid])
        elif "uses" in step:
            ref = str(step["uses"])
            with_ = {k: self.value(v) for k, v in (step.get("with") or {}).items()}
            if ref.startswith(("actions/checkout@", "actions/setup-python@")):
                result = StepResult(name, 0, "", "", {})
            elif ref.startswith("actions/upload-artifact@"):
                dst = self.artifacts / with_["name"]
                dst.mkdir(parents=True, exist_ok=True)
                shutil.copy(self.workspace / with_["path"], dst)
                result = StepResult(name, 0, "", "", {})
            elif ref.startswith("actions/download-artifact@"):
                dst = self.workspace / with_.get("path", ".")
                shutil.copytree(self.artifacts / with_["name"], dst, dirs_exist_ok=True)
                result = StepResult(name, 0, "", "", {})
            elif ref.startswith("./") or "/flatrender-schema@" in ref:
                result = self._composite(step, name)
            else:
                raise ValueError(f"this runner does not know {ref}")
        else:
            env = {k: self.value(v) for k, v in (step.get("env") or {}).items()}
            result = self._bash(step["run"], env, name)
        if sid:
            self.steps[sid] = result.outputs
        self.failed = self.failed or result.returncode != 0
        self.results.append(result)
        return result

    def job(self, workflow: dict[str, Any], job: str) -> list[StepResult]:
        spec = workflow["jobs"][job]
        self.env.update({k: self.value(v) for k, v in (spec.get("env") or {}).items()})
        for step in spec["steps"]:
            self.step(step)
        return self.results


def dump(results: list[StepResult]) -> str:
    return "\n".join(f"--- {r.name}: exit {r.returncode}\n{r.stdout}\n{r.stderr}" for r in results)


