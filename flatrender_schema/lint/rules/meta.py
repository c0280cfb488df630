"""Codes the engine itself reports: SQL that does not parse, and malformed suppressions."""

from __future__ import annotations

from flatrender_schema.lint.finding import Severity
from flatrender_schema.lint.registry import rule
from flatrender_schema.lint.walk import Check


@rule("SQ001", "sql-syntax", Severity.ERROR,
      "SQL does not parse; fix the statement at file:line:col (other files are still linted)",
      needs_manifest=False)
class SqlSyntax(Check):
    """A statement PostgreSQL's own parser (via pglast) rejects. The location is where the parser
    stopped. The rest of the file is split at semicolons and every statement that does parse is still
    checked, as is every other file, so one typo never hides the other findings."""


@rule("SL001", "suppression-without-reason", Severity.ERROR,
      "an inline suppression needs a reason: `-- schema-lint: ignore CODE reason: why`",
      needs_manifest=False)
class SuppressionWithoutReason(Check):
    """`-- schema-lint: ignore CODE` without `reason: ...`. Such a comment suppresses nothing: a
    suppression is a decision someone made, and the reason is what the next reader needs."""


@rule("SL002", "suppression-unknown-code", Severity.ERROR,
      "an inline suppression names a rule code that does not exist; see docs/rules.md",
      needs_manifest=False)
class SuppressionUnknownCode(Check):
    """A suppression naming no code, or a code that is not (or no longer) a rule. Codes are stable
    and never reused, so a code that does not exist is a typo."""
