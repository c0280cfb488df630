"""One registry of rules; a duplicate or malformed code fails at import."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flatrender_schema.lint.finding import Finding, Severity

if TYPE_CHECKING:
    from flatrender_schema.lint.engine import LintContext

CODE = re.compile(r"^[A-Z]{2}\d{3}$")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str  # one line: what it checks and what to do
    check: Callable[[LintContext], Iterable[Finding]]
    needs_manifest: bool = True  # False: also runs on plain SQL (`schema lint file.sql`)


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity, summary: str, *, needs_manifest: bool = True):  # type: ignore[no-untyped-def]
    """Decorator registering a check function under a stable code."""
    if not CODE.match(code):
        raise ValueError(f"lint code {code!r} must be two capitals and three digits")
    if code in RULES:
        raise ValueError(f"lint code {code} registered twice")

    def register(fn: Callable[[LintContext], Iterable[Finding]]) -> Callable[[LintContext], Iterable[Finding]]:
        RULES[code] = Rule(code, name, severity, summary, fn, needs_manifest)
        return fn

    return register
