"""Issue 9, acceptance 4: the distinctive password planted in every URL of the suite leaked nowhere.

Runs last (file name): scans every CLI output captured during the session, every plan file and file the
suite's temporary directories hold, and the session server's log.
"""

from __future__ import annotations

import pytest
from conftest import CAPTURED, CLI_ARGS, SECRET

from flatrender_schema.postgres.cluster import Cluster


def test_no_output_log_or_plan_file_contains_the_password(
    cluster: Cluster, server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert SECRET in server_url  # the canary really was planted
    if len(CAPTURED) < 10:
        pytest.skip("run with the whole suite: too few CLI runs were captured to mean anything")
    # The password really reached the CLI (in --database-url / --dev-url) in many runs...
    assert sum(1 for args in CLI_ARGS if SECRET in args) >= 5
    # ...and never came out.
    leaks = [text[:200] for text in CAPTURED if SECRET in text]
    assert not leaks, leaks
    scanned = 0
    for path in tmp_path_factory.getbasetemp().rglob("*"):
        if path.is_file() and path.stat().st_size < 5_000_000:
            scanned += 1
            assert SECRET.encode() not in path.read_bytes(), path
    log = cluster.logfile
    if log.exists():
        assert SECRET not in log.read_text(errors="replace")
    print(f"\nsecrets scan: {len(CAPTURED)} CLI outputs and {scanned} temporary files clean")
