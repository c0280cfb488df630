"""Inline suppressions: `-- schema-lint: ignore CODE[, CODE…] reason: why`.

Written at the end of the offending line, or alone on a line, where it applies to the next line that
holds SQL. The reason is mandatory: a suppression without one suppresses nothing and is itself a
finding (SL001), as is one naming a code that does not exist (SL002). The reason runs to the end of
the line, or to a following `--`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flatrender_schema.errors import Location
from flatrender_schema.lint.source import LintFile

MISSING_REASON = "SL001"
UNKNOWN_CODE = "SL002"

_MARK = re.compile(r"--[ \t]*schema-lint:[ \t]*ignore\b(?P<body>[^\n]*)")
_CODES = re.compile(r"[\s,]*(?P<codes>(?:[A-Za-z]{2}\d{3}[\s,]*)*)")
_REASON = re.compile(r"reason:(?P<reason>.*?)(?:--|$)")
_CODE = re.compile(r"[A-Za-z]{2}\d{3}")


@dataclass(frozen=True)
class Suppression:
    """A `-- schema-lint: ignore` comment: the codes it silences on one line."""

    path: str
    line: int  # the line whose findings it suppresses
    codes: frozenset[str]
    reason: str


@dataclass(frozen=True)
class Problem:
    """Something wrong with a suppression comment itself, reported as a finding."""

    code: str
    location: Location
    message: str


def _target_line(lines: list[str], index: int, before: str) -> int:
    """0-based `index` of the comment's line -> 1-based line the suppression applies to."""
    if before.strip():
        return index + 1
    for i in range(index + 1, len(lines)):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("--"):
            return i + 1
    return index + 1


def find_suppressions(file: LintFile, known: frozenset[str]) -> tuple[list[Suppression], list[Problem]]:
    if "schema-lint:" not in file.text:
        return [], []
    lines = file.text.split("\n")
    suppressions: list[Suppression] = []
    problems: list[Problem] = []
    offset = 0
    for index, line in enumerate(lines):
        mark = _MARK.search(line)
        if mark is not None:
            where = file.location(offset + mark.start())
            body = mark.group("body")
            codes_match = _CODES.match(body)
            assert codes_match is not None
            codes = frozenset(c.upper() for c in _CODE.findall(codes_match.group("codes")))
            rest = body[codes_match.end():].strip()
            reason_match = _REASON.match(rest)
            reason = reason_match.group("reason").strip() if reason_match else ""
            unknown = sorted(codes - known)
            if not codes:
                problems.append(Problem(UNKNOWN_CODE, where, "suppression names no rule code; write "
                                        "`-- schema-lint: ignore CODE reason: why`"))
            for code in unknown:
                problems.append(Problem(UNKNOWN_CODE, where, f"suppression names unknown rule code {code}; "
                                        "see docs/rules.md for the codes"))
            if not reason:
                problems.append(Problem(MISSING_REASON, where, "suppression without a reason suppresses "
                                        "nothing; add `reason: why this is intended`"))
            elif codes:
                target = _target_line(lines, index, line[: mark.start()])
                suppressions.append(Suppression(str(file.path), target, codes, reason))
        offset += len(line) + 1
    return suppressions, problems
