"""Lint output formats: text (file:line:col CODE message), json, github annotations, SARIF."""

from __future__ import annotations

import json

from flatrender_schema.lint.finding import Finding
from flatrender_schema.lint.engine import LintReport

FORMATS = ("text", "json", "github", "sarif")


def _text(report: LintReport) -> str:
    lines = [str(f) for f in report.findings]
    n = len(report.findings)
    lines.append(f"{n} finding{'s' if n != 1 else ''} in {report.files_checked} files" if n else
                 f"clean: {report.files_checked} files")
    return "\n".join(lines)


def _as_dict(f: Finding) -> dict[str, object]:
    return {"code": f.code, "severity": f.severity.value, "message": f.message, "path": f.location.path,
            "line": f.location.line, "col": f.location.col}


def render_report(report: LintReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"findings": [_as_dict(f) for f in report.findings],
                           "files_checked": report.files_checked}, indent=2)
    if fmt == "github":
        return "\n".join(
            f"::{f.severity.value} file={f.location.path},line={f.location.line or 1},"
            f"col={f.location.col or 1},title={f.code}::{f.message}" for f in report.findings)
    return _text(report)
