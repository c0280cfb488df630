"""Output formats: text, json, GitHub workflow commands, SARIF 2.1.0 (validated against the schema).

tests/lint/sarif-schema-2.1.0.json is the official SARIF 2.1.0 JSON schema (rtm.5, the version
schemastore and GitHub code scanning serve), as shipped by the npm package @microsoft/jest-sarif
1.0.0-beta.0 (MIT).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from flatrender_schema.errors import InputError
from flatrender_schema.lint import FORMATS, LintOptions, LintReport, render_report, run_lint

HERE = Path(__file__).parent
BAD = """\
CREATE TABLE app.t (id serial PRIMARY KEY, at timestamp, doc json);
GRANT SELECT ON app.t TO PUBLIC;
CREATE TABL broken;
"""


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LintReport:
    monkeypatch.chdir(tmp_path)
    Path("bad.sql").write_text(BAD)
    return run_lint(None, (Path("bad.sql"),), LintOptions())


def test_text(report: LintReport) -> None:
    lines = render_report(report, "text").splitlines()
    assert "bad.sql:1:24 TY102 serial column; use bigint GENERATED ALWAYS AS IDENTITY or uuid DEFAULT " \
           "gen_random_uuid()" in lines
    assert "bad.sql:2:26 GR101 GRANT to PUBLIC; grant to a service role instead" in lines
    assert any(line.startswith("bad.sql:3:8 SQ001 SQL does not parse") for line in lines)
    assert lines[-1].startswith(f"{len(report.findings)} findings (")


def test_json(report: LintReport) -> None:
    data = json.loads(render_report(report, "json"))
    assert data["clean"] is False
    assert {"path": "bad.sql", "line": 2, "col": 26, "code": "GR101", "severity": "error",
            "message": "GRANT to PUBLIC; grant to a service role instead"} in data["findings"]


def test_github(report: LintReport) -> None:
    lines = render_report(report, "github").splitlines()
    assert len(lines) == len(report.findings)
    assert "::error file=bad.sql,line=2,col=26,title=GR101::GR101 GRANT to PUBLIC; grant to a service " \
           "role instead" in lines
    assert any(line.startswith("::warning file=bad.sql,line=1,col=47,title=TY101::") for line in lines)


def test_sarif_validates_against_the_sarif_2_1_0_schema(report: LintReport) -> None:
    schema = json.loads((HERE / "sarif-schema-2.1.0.json").read_text())
    log = json.loads(render_report(report, "sarif"))
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    result = next(r for r in run["results"] if r["ruleId"] == "GR101")
    assert rules[result["ruleIndex"]]["id"] == "GR101"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "bad.sql", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2, "startColumn": 26}}


def test_sarif_of_a_clean_run_validates(tmp_path: Path) -> None:
    (tmp_path / "ok.sql").write_text("CREATE TABLE app.t (id uuid CONSTRAINT t_pkey PRIMARY KEY);\n")
    report = run_lint(None, (tmp_path / "ok.sql",), LintOptions())
    assert report.clean
    schema = json.loads((HERE / "sarif-schema-2.1.0.json").read_text())
    log = json.loads(render_report(report, "sarif"))
    jsonschema.Draft4Validator(schema).validate(log)
    assert log["runs"][0]["results"] == []
    assert render_report(report, "github") == ""
    assert render_report(report, "text").startswith("clean: 1 file")


def test_every_format_renders(report: LintReport) -> None:
    for fmt in FORMATS:
        assert render_report(report, fmt)


def test_unknown_format(report: LintReport) -> None:
    with pytest.raises(InputError, match="unknown format"):
        render_report(report, "xml")
