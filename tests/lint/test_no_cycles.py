"""A lint's trees are freed when `run_lint` returns: no reference cycle holds them for the cycle
collector, which a `schema lint` process never runs (it would find them only at exit, scanning every
node of a 2,000-table tree then)."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest
from pglast import ast

from flatrender_schema.lint import run_lint

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("citus", [False, True], ids=["plain", "citus"])
def test_no_tree_is_left_to_the_cycle_collector(tmp_path: Path, citus: bool) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(REPO / "schema", schema)
    if citus:
        with (schema / "schema.yaml").open("a", encoding="utf-8") as f:
            f.write("citus:\n  enabled: true\n")
    run_lint(schema)  # the caches a first run fills are no garbage
    was_enabled = gc.isenabled()
    gc.disable()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        report = run_lint(schema)
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, ast.Node)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    assert report.files_checked > 20
    assert bool(report.findings) == citus  # with Citus, the CT rules ran (FlatRender's keys are id alone)
    assert not left, f"{len(left)} nodes only the cycle collector would free, e.g. {left[0]!r:.80}"
