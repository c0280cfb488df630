"""Run the registered rules over the lint source; syntax errors become findings, not crashes."""

from __future__ import annotations

import gc
import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flatrender_schema.errors import InputError
from flatrender_schema.lint.finding import Finding
from flatrender_schema.lint.registry import RULES, Rule

if TYPE_CHECKING:
    from flatrender_schema.lint.walk import Check

SYNTAX_CODE = "SQ001"


@dataclass(frozen=True)
class LintOptions:
    """`select`: run only these codes (or code prefixes such as `TY`); `ignore`: never these."""

    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LintReport:
    """What a lint run found, sorted, with how many files and which rules it ran."""

    findings: tuple[Finding, ...]
    files_checked: int
    rules_run: tuple[str, ...] = field(default=())
    suppressed: int = 0

    @property
    def clean(self) -> bool:
        return not self.findings


def load_rules() -> dict[str, Rule]:
    """Import every module of `lint/rules/` (each registers its rules), in name order."""
    from flatrender_schema.lint import rules as rules_pkg

    # os.listdir, not pkgutil.iter_modules: the same modules, without importing pkgutil at every start
    names = sorted({n.removesuffix(".py") for directory in rules_pkg.__path__ for n in os.listdir(directory)
                    if n.endswith(".py") and n != "__init__.py" and not n.startswith(".")})
    for name in names:
        importlib.import_module(f"{rules_pkg.__name__}.{name}")
    return RULES


def known_codes() -> frozenset[str]:
    return frozenset(load_rules())


def _matches(code: str, patterns: frozenset[str]) -> bool:
    return any(code.startswith(p) for p in patterns)


def active_codes(options: LintOptions) -> tuple[str, ...]:
    """The codes `options` leave on; an unknown code or prefix is an InputError."""
    known = known_codes()
    select = frozenset(c.strip().upper() for c in options.select if c.strip())
    ignore = frozenset(c.strip().upper() for c in options.ignore if c.strip())
    for code in sorted(select | ignore):
        if not any(k.startswith(code) for k in known):
            raise InputError(f"unknown rule code {code!r}; known codes: {', '.join(sorted(known))}")
    return tuple(sorted(c for c in known if (not select or _matches(c, select)) and not _matches(c, ignore)))


def _sort_key(f: Finding) -> tuple[str, int, int, str, str]:
    return (f.location.path, f.location.line or 0, f.location.col or 0, f.code, f.message)


def _visitors(catalog: object, checks: list[Check]) -> list[object]:
    """The catalog, then each check's visitors, each once (checks may share one)."""
    out: dict[int, object] = {id(catalog): catalog}
    for check in checks:
        for visitor in check.visitors():
            out.setdefault(id(visitor), visitor)
    return list(out.values())


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The trees and findings hold no reference cycles, and the collector, run every few hundred
    new objects, would scan the growing trees again and again (a fifth of a large lint's time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_lint(
    schema_dir: Path | None, paths: tuple[Path, ...] = (), options: LintOptions = LintOptions()
) -> LintReport:
    """Lint `schema_dir` (manifests + SQL) and any extra SQL `paths`.

    With both, every file of the schema directory is read but only findings in `paths` are reported.
    Bad input (YAML, layout, unreadable or binary files, unknown codes) raises InputError.
    """
    with _no_cycle_collection():
        return _run_lint(schema_dir, paths, options)


def _run_lint(schema_dir: Path | None, paths: tuple[Path, ...], options: LintOptions) -> LintReport:
    from flatrender_schema.lint.catalog import Catalog
    from flatrender_schema.lint.source import load_source
    from flatrender_schema.lint.suppress import find_suppressions
    from flatrender_schema.lint.walk import dispatch_table, walk_file

    active = active_codes(options)
    source = load_source(schema_dir, paths)
    catalog = Catalog()
    checks: list[Check] = []
    for code in active:
        r = RULES[code]
        if r.needs_manifest and source.project is None:
            continue
        checks.append(r.check(r, source, catalog))
    with_manifest = dispatch_table(_visitors(catalog, checks))
    plain = dispatch_table(_visitors(catalog, [c for c in checks if not c.rule.needs_manifest]))
    for file in source.files:
        walk_file(file, with_manifest if file.service is not None else plain)
    catalog.finish()
    findings: list[Finding] = []
    for check in checks:
        check.finish()
        findings.extend(check.findings)

    if SYNTAX_CODE in active:
        r = RULES[SYNTAX_CODE]
        findings.extend(Finding(loc, r.code, r.severity, message) for loc, message in source.syntax_errors)

    known = known_codes()
    suppressed: dict[tuple[str, int], set[str]] = {}
    for file in source.files:
        found, problems = find_suppressions(file, known)
        for s in found:
            suppressed.setdefault((s.path, s.line), set()).update(s.codes)
        for p in problems:
            if p.code in active:
                findings.append(Finding(p.location, p.code, RULES[p.code].severity, p.message))
    kept = [f for f in findings
            if f.code not in suppressed.get((f.location.path, f.location.line or 0), ())]
    if source.only is not None:
        only = source.only
        kept = [f for f in kept if Path(f.location.path).resolve() in only]
    unique = sorted(set(kept), key=_sort_key)
    return LintReport(tuple(unique), len(source.files), tuple(c.rule.code for c in checks),
                      len(findings) - len(kept))
