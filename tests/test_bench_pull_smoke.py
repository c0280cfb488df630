"""Smoke test for bench/bench_pull.py: one row at 20 tables, end to end (no timing asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))

import bench_pull


def test_one_pull_benchmark_row(tmp_path: Path) -> None:
    row = bench_pull.measure(20, None, tmp_path, 2)
    assert row["tables"] == 20
    assert row["proved"] and row["repull_unchanged"] and row["cli_exit"] == 0
    assert row["pg_dump"] > 0 and row["pull_lib"] > row["pull_proof"] > 0
    assert len(row["runs"]) == 2 and row["ratio_min"] <= row["ratio"] <= row["ratio_max"]
    assert "| 20 |" in bench_pull.markdown([row])
