"""Issue 19: `schema plan --format markdown` draws the tables the plan touches (Mermaid), kept small.

The plan is real (plain SQL desired state vs a live database on the session cluster); the diagram is
read back in headless Chromium like the docs' (tests/docs_browser.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, TODAY, Databases
from docs_browser import artifact_dir, render_mermaid

from flatrender_schema.desired import load_plain
from flatrender_schema.docs.plan_diagram import BUDGET, touched, touched_tables_markdown
from flatrender_schema.engine import get_engine
from flatrender_schema.plan import Plan, Step
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.render import render_markdown
from flatrender_schema.scratch import DevServer

CASES = REPO / "tests" / "cases" / "docs"


@pytest.fixture(scope="module")
def plan(server_url: str) -> Plan:
    dbs = Databases(server_url)
    try:
        live = dbs.connect(dbs.create("docsplan"))
        live.execute((CASES / "plan" / "live.sql").read_text(encoding="utf-8").encode())
        with DevServer(server_url) as dev:
            return build_plan(live, load_plain([CASES / "plain" / "desired.sql"]), dev, get_engine("results"),
                              PlanOptions(TODAY))
    finally:
        dbs.close()


def _mermaid_blocks(markdown: str) -> list[str]:
    return [block.split("\n```")[0] for block in markdown.split("```mermaid\n")[1:]]


def test_the_plan_comment_marks_added_changed_and_dropped_tables(plan: Plan) -> None:
    state, refs = touched(plan)
    assert state == {
        ("billing", "events"): "added", ("billing", "invoices"): "added",
        ("shop", "customers"): "changed", ("shop", "orders"): "changed", ("shop", "legacy"): "dropped",
    }
    assert [(r.source, r.columns, r.target) for r in refs] == [(("shop", "orders"), ("customer_id",),
                                                                ("shop", "customers"))]
    markdown = render_markdown(plan)
    [diagram] = _mermaid_blocks(markdown)
    assert '"billing.invoices (added)"' in diagram and '"shop.legacy (dropped)"' in diagram
    assert '"shop.customers (changed)"' in diagram
    assert 'e_shop__customers |o--o{ e_shop__orders : "customer_id"' in diagram  # nullability: unknown here
    assert "classDef added" in diagram and "class e_shop__legacy dropped" in diagram
    assert "_2 added, 2 changed, 1 dropped._" in markdown
    # the diagram sits between the summary table and the folded details
    assert markdown.index("| service |") < markdown.index("```mermaid") < markdown.index("<details>")


def test_the_plan_diagram_renders_in_a_browser(plan: Plan, tmp_path: Path) -> None:
    [diagram] = _mermaid_blocks(render_markdown(plan))
    shots = artifact_dir("docs-plan", tmp_path)
    [drawn] = render_mermaid([diagram], tmp_path / "page", shots / "plan-diagram.png", (1200, 800))
    assert drawn.ok, drawn.error
    assert drawn.has_svg and "shop.legacy (dropped)" in drawn.text and "billing.invoices (added)" in drawn.text
    assert (shots / "plan-diagram.png").stat().st_size > 0


def _big_plan(tables: int) -> Plan:
    steps = [Step(f"CREATE TABLE app.table_{n:04} (id int PRIMARY KEY, parent_id int REFERENCES "
                  f"app.table_{max(n - 1, 0):04} (id))", "create", f"app.table_{n:04}", "engine")
             for n in range(tables)]
    return Plan(tuple(steps), "sha256:x", "sha256:y", "results", "0", 15, "test")


def test_a_large_plan_draws_what_fits_and_counts_the_rest() -> None:
    lines = touched_tables_markdown(_big_plan(2000))
    text = "\n".join(lines)
    assert len(text) < BUDGET + 500 < 65_536
    assert "more not drawn" in text and "_2000 added;" in text
    assert not touched_tables_markdown(Plan((Step("GRANT SELECT ON app.t TO r", "grant", "app.t", "engine"),),
                                            "a", "b", "results", "0", 15, "test"))
