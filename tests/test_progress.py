"""Issue 17, acceptance 3: progress on a terminal (the CLI driven in a pseudo-terminal), none in a pipe or CI."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import threading

import pytest
from conftest import REPO, TODAY, Databases, record_output, run_cli

PHASE_LINE = re.compile(r"(shadow|reading live|diff|copy of live|gap layer|verify) \d+\.\d s")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "DATABASE_URL", "SCHEMA_DEV_URL", "TERM")}
    return {**env, "TERM": "xterm", "COLUMNS": "120", **extra}


def _plan_in_pty(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """`schema plan` with stderr on a pseudo-terminal: (exit code, stdout, what the terminal received)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "flatrender_schema", "plan", *args], cwd=str(REPO), env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    received: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        stdout = proc.stdout.read().decode() if proc.stdout else ""
        code = proc.wait(timeout=600)
    finally:
        reader.join(timeout=30)
        os.close(master)
    terminal = b"".join(received).decode("utf-8", "replace")
    record_output(stdout, terminal)
    return code, stdout, terminal


@pytest.fixture
def first_plan_args(dbs: Databases, server_url: str) -> list[str]:
    """FlatRender's first plan: a few seconds of work on any machine."""
    return ["--database-url", dbs.create("progress"), "--dev-url", server_url, "--now", TODAY.isoformat()]


def test_progress_shows_phases_on_a_terminal(first_plan_args: list[str]) -> None:
    code, stdout, terminal = _plan_in_pty(first_plan_args, _env())
    assert code == 2, terminal
    assert PHASE_LINE.search(terminal), terminal
    assert "(total " in terminal  # the running line, rewritten in place
    assert "\r" in terminal
    # The plan itself goes to stdout, untouched by the status line.
    assert stdout.startswith("Target: ") and "\r" not in stdout and "\033[" not in stdout


def test_no_progress_in_a_pipe(first_plan_args: list[str]) -> None:
    done = run_cli("plan", *first_plan_args, env=_env())
    assert done.returncode == 2, done.stderr
    assert done.stderr == ""
    assert "Plan: " in done.stdout and "\r" not in done.stdout


def test_no_progress_in_ci_even_on_a_terminal(first_plan_args: list[str]) -> None:
    code, stdout, terminal = _plan_in_pty(first_plan_args, _env(CI="true"))
    assert code == 2, terminal
    assert terminal == "", terminal
    assert "Plan: " in stdout
