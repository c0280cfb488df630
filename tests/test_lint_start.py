"""Issue 17, acceptance 4: `schema lint` imports only what it uses, and its quick start answers exactly as
the full CLI does (same output, same exit code). Speed itself is measured by bench/bench_lint.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SCHEMA_DIR

FULL_CLI = "import sys; from flatrender_schema.cli import main; sys.argv[0] = 'schema'; main()"
HEAVY = ("typer", "click", "psycopg", "pydantic", "results", "flatrender_schema.engine", "flatrender_schema.cli",
         "flatrender_schema.planner", "jsonschema", "rich",
         # what lint does not use either: pglast's printers (deparsing a declared conversion), the
         # loader's statements, pkgutil (the rules are listed with os.listdir), the Citus placement
         # (FlatRender's schema/ does not enable Citus)
         "pglast.stream", "pglast.printers", "flatrender_schema.desired", "flatrender_schema.conversions", "pkgutil",
         "flatrender_schema.citus.declared", "flatrender_schema.citus.tables")


def _run(*args: str, cwd: Path = REPO, full: bool = False) -> subprocess.CompletedProcess[str]:
    head = ["-c", FULL_CLI] if full else ["-m", "flatrender_schema"]
    env = {k: v for k, v in os.environ.items() if k != "SCHEMA_DEBUG"}
    return subprocess.run([sys.executable, *head, "lint", *args], cwd=str(cwd), env=env, capture_output=True,
                          text=True, timeout=120)


def _bad_schema(tmp_path: Path) -> Path:
    schema = tmp_path / "schema"
    (schema / "app").mkdir(parents=True)
    (schema / "schema.yaml").write_text("version: 1\nservices: [app]\n")
    (schema / "app" / "service.yaml").write_text("schema: app\nrole: app_svc\n")
    (schema / "app" / "t.sql").write_text("CREATE TABLE app.t (id serial PRIMARY KEY);\n")
    return schema


@pytest.mark.parametrize("args", [
    [],
    ["--format=github"],
    ["--select", "TN101", "--select=XS"],
    ["--format", "bogus"],
    ["--select", "XS999"],
    ["BAD/app/t.sql"],
    ["--schema-dir", "BAD", "--format", "sarif"],
    ["--schema-dir", "missing-dir"],
    ["--", "BAD/app/t.sql"],
], ids=lambda a: " ".join(a) or "no-args")
def test_quick_start_answers_as_the_full_cli(args: list[str], tmp_path: Path) -> None:
    bad = _bad_schema(tmp_path)
    args = [a.replace("BAD", str(bad)) for a in args]
    quick, full = _run(*args), _run(*args, full=True)
    assert (quick.returncode, quick.stdout, quick.stderr) == (full.returncode, full.stdout, full.stderr)
    assert "Traceback" not in quick.stderr


def test_help_and_unknown_options_go_to_the_full_cli() -> None:
    done = _run("--help")
    assert done.returncode == 0 and "--select" in done.stdout
    unknown = _run("--no-such-option")
    assert unknown.returncode == 2 and "No such option" in unknown.stderr


def test_lint_imports_only_what_it_uses() -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "flatrender_schema", "lint", "--schema-dir",
                           str(SCHEMA_DIR)], cwd=str(REPO), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    imported = {m.group(1).strip() for m in re.finditer(r"^import time:\s+\d+ \|\s+\d+ \|(.*)$", done.stderr, re.M)}
    assert "pglast" in imported and "flatrender_schema.lint" in imported
    heavy = sorted(m for m in imported if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert not heavy, heavy
