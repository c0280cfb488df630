"""Run the registered rules over a desired state; syntax errors become findings, not crashes."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path

from flatrender_schema.desired import Desired, SqlFile, load_desired, load_sql_file
from flatrender_schema.errors import InputError
from flatrender_schema.lint import rules as rules_pkg
from flatrender_schema.lint.finding import Finding, Severity
from flatrender_schema.lint.registry import RULES

SYNTAX_CODE = "SQ001"


@dataclass(frozen=True)
class LintOptions:
    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LintContext:
    """What rules see: the desired state (manifests may be absent for plain SQL files)."""

    desired: Desired


@dataclass(frozen=True)
class LintReport:
    findings: tuple[Finding, ...]
    files_checked: int
    rules_run: tuple[str, ...] = field(default=())

    @property
    def clean(self) -> bool:
        return not self.findings


def load_rules() -> None:
    for mod in pkgutil.iter_modules(rules_pkg.__path__):
        importlib.import_module(f"{rules_pkg.__name__}.{mod.name}")


def known_codes() -> frozenset[str]:
    load_rules()
    return frozenset(RULES) | {SYNTAX_CODE}


def _validate_codes(options: LintOptions) -> None:
    known = known_codes()
    for code in sorted(options.select | options.ignore):
        if code not in known:
            raise InputError(f"unknown rule code {code!r}; known codes: {', '.join(sorted(known))}")


def run_lint(schema_dir: Path | None, paths: tuple[Path, ...] = (), options: LintOptions = LintOptions()) -> LintReport:
    """Lint `schema_dir` (manifests + SQL) and any extra SQL `paths`. Bad YAML raises InputError."""
    _validate_codes(options)
    findings: list[Finding] = []
    desired = load_desired(schema_dir) if schema_dir is not None else Desired(None)
    extra: list[SqlFile] = []
    for path in paths:
        try:
            extra.append(load_sql_file(path))
        except InputError as exc:
            if exc.location is None:
                raise
            findings.append(Finding(exc.location, SYNTAX_CODE, Severity.ERROR, exc.message))
    if extra:
        desired = Desired(desired.project, desired.services, desired.loose_files + tuple(extra), desired.root,
                          desired.sources)
    ctx = LintContext(desired)
    ran = []
    for code, r in sorted(RULES.items()):
        if options.select and code not in options.select:
            continue
        if code in options.ignore or (r.needs_manifest and desired.project is None):
            continue
        ran.append(code)
        findings.extend(r.check(ctx))
    return LintReport(tuple(sorted(set(findings))), len(desired.files), tuple(ran))
