"""Print how many cases the fuzz suite tried (issue 8, acceptance 3), with its profile and time."""

from __future__ import annotations

from typing import Any

from harness import TRIED, summary


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if sum(TRIED.values()):
        terminalreporter.write_line(summary())
