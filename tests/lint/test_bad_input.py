"""Bad input is a clear InputError (one line with its place), never a traceback; syntax errors are
findings and do not hide other files' findings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flatrender_schema.errors import InputError
from flatrender_schema.lint import LintOptions, run_lint

REPO = Path(__file__).resolve().parents[2]


def _schema(root: Path, files: dict[str, str] | None = None) -> Path:
    schema = root / "schema"
    (schema / "app").mkdir(parents=True)
    (schema / "schema.yaml").write_text(yaml.safe_dump({"version": 1, "services": ["app"]}))
    (schema / "app" / "service.yaml").write_text("schema: app\nrole: app_svc\n")
    for name, text in (files or {}).items():
        (schema / "app" / name).write_text(text)
    return schema


GOOD = "CREATE TABLE app.t (id uuid CONSTRAINT t_pkey PRIMARY KEY, tenant_id uuid NOT NULL);\n"


def test_syntax_error_is_a_finding_and_other_files_are_still_linted(tmp_path: Path) -> None:
    schema = _schema(tmp_path, {
        "a.sql": "CREATE TABLE app.a (id uuid CONSTRAINT a_pkey PRIMARY KEY, tenant_id uuid NOT NULL);\n"
                 "CREATE TABLE app.b (id uuid CONSTRAINT b_pkey PRIMARY KEY,, tenant_id uuid NOT NULL);\n"
                 "CREATE TABLE app.c (id serial CONSTRAINT c_pkey PRIMARY KEY, tenant_id uuid NOT NULL);\n",
        "z.sql": "CREATE TABLE app.z (id uuid CONSTRAINT z_pkey PRIMARY KEY);\n",
    })
    report = run_lint(schema, (), LintOptions())
    got = {(Path(f.location.path).name, f.location.line, f.location.col, f.code) for f in report.findings}
    assert got == {("a.sql", 2, 59, "SQ001"), ("a.sql", 3, 24, "TY102"), ("z.sql", 1, 14, "TN101")}


def test_unterminated_quote_is_a_finding(tmp_path: Path) -> None:
    schema = _schema(tmp_path, {"a.sql": GOOD + "COMMENT ON TABLE app.t IS 'oops;\n", "b.sql": GOOD.replace(
        "app.t ", "app.u ").replace("t_pkey", "u_pkey")})
    report = run_lint(schema, (), LintOptions())
    assert [(Path(f.location.path).name, f.code) for f in report.findings] == [("a.sql", "SQ001")]


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    schema = _schema(tmp_path, {"a.sql": GOOD})
    (schema / "app" / "dir.sql").mkdir()  # root reads everything; a directory it cannot read as a file
    with pytest.raises(InputError) as info:
        run_lint(schema, (), LintOptions())
    assert "cannot read" in str(info.value) and "dir.sql" in str(info.value)


def test_broken_symlink_is_an_input_error(tmp_path: Path) -> None:
    link = tmp_path / "gone.sql"
    link.symlink_to(tmp_path / "nowhere.sql")
    with pytest.raises(InputError, match=r"gone\.sql: cannot read"):
        run_lint(None, (link,), LintOptions())


def test_binary_file_is_an_input_error(tmp_path: Path) -> None:
    schema = _schema(tmp_path, {"a.sql": GOOD})
    (schema / "app" / "blob.sql").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match=r"blob\.sql: binary file"):
        run_lint(schema, (), LintOptions())


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        run_lint(None, (tmp_path / "missing.sql",), LintOptions())


@pytest.mark.parametrize(("text", "match"), [
    ("schema: app\nrole: [unclosed\n", r"service\.yaml:3:1: YAML does not parse"),
    ("schema: app\nrole: app_svc\nowner: me\n", r"service\.yaml:3: owner: unknown key"),
    ("schema: app\n", r"service\.yaml(:\d+)?: role: required key is missing"),
])
def test_yaml_errors_are_input_errors_with_a_line(tmp_path: Path, text: str, match: str) -> None:
    schema = _schema(tmp_path, {"a.sql": GOOD})
    (schema / "app" / "service.yaml").write_text(text)
    with pytest.raises(InputError, match=match):
        run_lint(schema, (), LintOptions())


def test_unknown_code_in_select_is_an_input_error(tmp_path: Path) -> None:
    schema = _schema(tmp_path, {"a.sql": GOOD})
    with pytest.raises(InputError, match="unknown rule code 'XS999'"):
        run_lint(schema, (), LintOptions(select=frozenset({"XS999"})))
    with pytest.raises(InputError, match="unknown rule code 'QQ'"):
        run_lint(schema, (), LintOptions(ignore=frozenset({"QQ"})))


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "flatrender_schema.lint", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("case", ["select", "yaml", "binary", "directory"])
def test_process_reports_bad_input_in_one_line_without_traceback(tmp_path: Path, case: str) -> None:
    schema = _schema(tmp_path, {"a.sql": GOOD})
    args: list[str] = []
    if case == "select":
        args = ["--select", "XS999"]
    elif case == "yaml":
        (schema / "app" / "service.yaml").write_text("schema: app\nrole: [\n")
    elif case == "binary":
        (schema / "app" / "b.sql").write_bytes(b"\x00\x01")
    else:
        (schema / "app" / "d.sql").mkdir()
    done = _run(*args, cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("schema/" if case != "select" else "E100 unknown rule code")


def test_process_exit_codes(tmp_path: Path) -> None:
    _schema(tmp_path, {"a.sql": GOOD})
    assert _run(cwd=tmp_path).returncode == 0
    (tmp_path / "schema" / "app" / "b.sql").write_text(
        "CREATE TABLE app.b (id uuid CONSTRAINT b_pkey PRIMARY KEY, tenant_id uuid NOT NULL,\n"
        "    t_id uuid CONSTRAINT b_t_fkey REFERENCES other.t (id));\n"
        "CREATE INDEX b_t_id_idx ON app.b (t_id);\n")
    done = _run("--select", "XS101", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0].startswith("schema/app/b.sql:2:15 XS101 ")
