"""Smoke test for bench/bench_plan.py: the generator and one benchmark row work at 20 tables (no timing asserted)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))

import bench_plan
from synthetic import generate

SIZE = 20


def test_generator_is_deterministic_and_mutates_about_five_percent() -> None:
    a, b = generate(400), generate(400)
    assert a == b
    assert a.to_sql.count("CREATE TABLE") == 400
    assert 15 <= len(a.mutations) <= 25
    assert a.from_sql != a.to_sql
    assert generate(400, seed=1).to_sql != a.to_sql


def test_generated_sql_loads(server_url: str, tmp_path: Path) -> None:
    to_path, from_path = generate(SIZE).write(tmp_path)
    bench = bench_plan.Bench(server_url, timeout=60, out=tmp_path)
    try:
        for name, path in (("bench_smoke_to", to_path), ("bench_smoke_from", from_path)):
            with psycopg.connect(bench.create(name), autocommit=True) as conn:
                bench_plan._run_script(conn, bench_plan._statements(path))
        assert bench.table_count("bench_smoke_to") == SIZE
        assert bench.table_count("bench_smoke_from") in (SIZE, SIZE - 1)  # a table may be the mutation
    finally:
        bench.drop_all()
        bench.admin.close()


@pytest.fixture
def bench(server_url: str, tmp_path: Path) -> Iterator[bench_plan.Bench]:
    b = bench_plan.Bench(server_url, timeout=120, out=tmp_path)
    yield b
    b.drop_all()
    b.admin.close()


def test_one_benchmark_row_end_to_end(bench: bench_plan.Bench) -> None:
    rows = bench_plan.run_synthetic(bench, SIZE, lives=("mutated",))
    assert len(rows) == 1
    row = rows[0]
    assert row.tables == SIZE
    for key in ("load", "bare_upstream", "bare_patched", "ours_lib", "ours_cli"):
        assert row.results[key]["status"] == "ok", (key, row.results[key])
        assert row.results[key]["seconds"] > 0
    assert row.results["ours_lib"]["steps"] > 0  # the mutated live needs changes
    assert row.results["ours_cli"]["exit"] == 2
    meta = {"postgres": "x", "python": "3.11", "cpus": 1, "results": "r", "timeout": 120.0, "date": "d",
            "loadavg_start": [0.0], "loadavg_end": [0.0]}
    report = bench_plan.markdown(meta, rows, [])
    assert f"| synthetic {SIZE} | {SIZE} |" in report
