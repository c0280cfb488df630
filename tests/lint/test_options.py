"""--select/--ignore, paths inside the schema directory, inline suppressions."""

from __future__ import annotations

from pathlib import Path

import yaml

from flatrender_schema.lint import LintOptions, run_lint

SQL = """\
CREATE TABLE app.t (
    id serial CONSTRAINT t_pkey PRIMARY KEY,
    tenant_id uuid NOT NULL,
    at timestamp,
    doc json
);
"""


def _schema(root: Path, files: dict[str, str]) -> Path:
    schema = root / "schema"
    (schema / "app").mkdir(parents=True)
    (schema / "schema.yaml").write_text(yaml.safe_dump({"version": 1, "services": ["app"]}))
    (schema / "app" / "service.yaml").write_text("schema: app\nrole: app_svc\n")
    for name, text in files.items():
        (schema / "app" / name).write_text(text)
    return schema


def _codes(schema: Path, **kw: frozenset[str]) -> list[str]:
    return [f.code for f in run_lint(schema, (), LintOptions(**kw)).findings]


def test_select_and_ignore_by_code_and_prefix(tmp_path: Path) -> None:
    schema = _schema(tmp_path, {"a.sql": SQL})
    assert _codes(schema) == ["TY102", "TY101", "TY105"]
    assert _codes(schema, select=frozenset({"TY101"})) == ["TY101"]
    assert _codes(schema, select=frozenset({"ty"})) == ["TY102", "TY101", "TY105"]
    assert _codes(schema, ignore=frozenset({"TY10"})) == []
    assert _codes(schema, select=frozenset({"TY"}), ignore=frozenset({"TY105"})) == ["TY102", "TY101"]
    report = run_lint(schema, (), LintOptions(select=frozenset({"XS101"})))
    assert report.rules_run == ("XS101",)


def test_paths_inside_the_schema_directory_report_only_those_files(tmp_path: Path) -> None:
    schema = _schema(tmp_path, {"a.sql": SQL, "b.sql": SQL.replace("app.t ", "app.u ").replace("t_pkey", "u_pkey")})
    report = run_lint(schema, (schema / "app" / "b.sql",), LintOptions())
    assert {Path(f.location.path).name for f in report.findings} == {"b.sql"}
    assert report.files_checked == 2


def test_plain_sql_outside_the_schema_directory_runs_only_manifest_free_rules(tmp_path: Path) -> None:
    loose = tmp_path / "loose.sql"
    loose.write_text("CREATE TABLE x.t (id uuid CONSTRAINT t_pkey PRIMARY KEY);\n")  # no tenant_id: fine
    assert run_lint(None, (loose,), LintOptions()).clean


def test_suppression_on_the_line_before_and_on_the_same_line(tmp_path: Path) -> None:
    text = SQL.replace("    at timestamp,\n",
                       "    -- schema-lint: ignore TY101 reason: the export format has no zone\n"
                       "\n    at timestamp,\n")
    text = text.replace("doc json", "doc json  -- schema-lint: ignore TY105, TY101 reason: key order matters")
    schema = _schema(tmp_path, {"a.sql": text})
    report = run_lint(schema, (), LintOptions())
    assert [f.code for f in report.findings] == ["TY102"]
    assert report.suppressed == 2


def test_suppression_without_reason_suppresses_nothing(tmp_path: Path) -> None:
    text = SQL.replace("at timestamp,", "at timestamp,  -- schema-lint: ignore TY101")
    schema = _schema(tmp_path, {"a.sql": text})
    findings = [(f.code, f.location.line) for f in run_lint(schema, (), LintOptions()).findings]
    assert ("TY101", 4) in findings and ("SL001", 4) in findings
