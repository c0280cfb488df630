"""`schema lint`: offline rules over the desired state. The CLI calls `run_lint` and `render_report`."""

from flatrender_schema.lint.engine import LintOptions, LintReport, run_lint
from flatrender_schema.lint.finding import Finding, Severity
from flatrender_schema.lint.render import FORMATS, render_report

__all__ = ["FORMATS", "Finding", "LintOptions", "LintReport", "Severity", "render_report", "run_lint"]
