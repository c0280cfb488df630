"""Lint output formats: text (file:line:col CODE message), json, GitHub annotations, SARIF 2.1.0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flatrender_schema.lint.engine import LintReport, load_rules
from flatrender_schema.lint.finding import Finding, Severity

FORMATS = ("text", "json", "github", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS = "docs/rules.md"


def _text(report: LintReport) -> str:
    lines = [str(f) for f in report.findings]
    n = len(report.findings)
    files = f"{report.files_checked} file{'s' if report.files_checked != 1 else ''}"
    suppressed = f" ({report.suppressed} suppressed)" if report.suppressed else ""
    if n:
        errors = sum(1 for f in report.findings if f.severity == Severity.ERROR)
        lines.append(f"{n} finding{'s' if n != 1 else ''} ({errors} error{'s' if errors != 1 else ''}, "
                     f"{n - errors} warning{'s' if n - errors != 1 else ''}) in {files}{suppressed}")
    else:
        lines.append(f"clean: {files}, {len(report.rules_run)} rules{suppressed}")
    return "\n".join(lines)


def _as_dict(f: Finding) -> dict[str, object]:
    return {"path": f.location.path, "line": f.location.line, "col": f.location.col, "code": f.code,
            "severity": f.severity.value, "message": f.message}


def _json(report: LintReport) -> str:
    return json.dumps({"findings": [_as_dict(f) for f in report.findings],
                       "files_checked": report.files_checked, "suppressed": report.suppressed,
                       "rules_run": list(report.rules_run), "clean": report.clean}, indent=2)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(report: LintReport) -> str:
    """Workflow commands: each becomes an annotation on the pull request's file and line."""
    lines = []
    for f in report.findings:
        level = "error" if f.severity == Severity.ERROR else "warning"
        props = [f"file={_escape_property(f.location.path)}", f"line={f.location.line or 1}"]
        if f.location.col:
            props.append(f"col={f.location.col}")
        props.append(f"title={f.code}")
        lines.append(f"::{level} {','.join(props)}::{_escape_data(f'{f.code} {f.message}')}")
    return "\n".join(lines)


def _uri(path: str) -> str:
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_uri()
    return p.as_posix()


def _sarif(report: LintReport) -> str:
    from flatrender_schema import __version__

    rules = load_rules()
    codes = sorted(rules)
    index = {code: i for i, code in enumerate(codes)}
    descriptors = [{
        "id": code,
        "name": rules[code].name,
        "shortDescription": {"text": rules[code].summary},
        "fullDescription": {"text": rules[code].description or rules[code].summary},
        "helpUri": f"{DOCS}#{code.lower()}",
        "defaultConfiguration": {"level": rules[code].severity.value},
    } for code in codes]
    results: list[dict[str, Any]] = []
    for f in report.findings:
        region: dict[str, int] = {"startLine": f.location.line or 1}
        if f.location.col:
            region["startColumn"] = f.location.col
        results.append({
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": f.severity.value,
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(f.location.path), "uriBaseId": "%SRCROOT%"},
                "region": region}}],
        })
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "schema lint", "fullName": "flatrender-schema lint",
                                "version": __version__, "informationUri": DOCS, "rules": descriptors}},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
            "results": results,
        }],
    }
    return json.dumps(log, indent=2)


def render_report(report: LintReport, fmt: str) -> str:
    renderers = {"text": _text, "json": _json, "github": _github, "sarif": _sarif}
    try:
        return renderers[fmt](report)
    except KeyError:
        from flatrender_schema.errors import InputError

        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
