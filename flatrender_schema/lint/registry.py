"""One registry of rules; a duplicate or malformed code fails at import.

A rule is a `Check` subclass (see `walk.py`) registered with `@rule(code, name, severity, summary)`.
Its docstring is the long description rendered into docs/rules.md.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from flatrender_schema.lint.finding import Severity

if TYPE_CHECKING:
    from flatrender_schema.lint.walk import Check

CODE = re.compile(r"^[A-Z]{2}\d{3}$")
C = TypeVar("C", bound="type[Check]")


@dataclass(frozen=True)
class Rule:
    """A registered rule: its stable code and name, severity, one-line summary and check."""

    code: str
    name: str
    severity: Severity
    summary: str  # one line: what it checks and what to do
    check: type[Check]
    needs_manifest: bool = True  # False: also runs on plain SQL files (`schema lint file.sql`)

    @property
    def description(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")


RULES: dict[str, Rule] = {}


def rule(
    code: str, name: str, severity: Severity, summary: str, *, needs_manifest: bool = True
) -> Callable[[C], C]:
    """Class decorator registering a `Check` under a stable code (never reuse a retired one)."""
    if not CODE.match(code):
        raise ValueError(f"lint code {code!r} must be two capitals and three digits")
    if code in RULES:
        raise ValueError(f"lint code {code} registered twice")

    def register(cls: C) -> C:
        RULES[code] = Rule(code, name, severity, summary, cls, needs_manifest)
        cls.code = code
        return cls

    return register
