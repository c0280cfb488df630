"""Plans whose order matters only when live has rows, through the CLI: `apply --desired to.sql` on a
database loaded from from.sql with its rows kept, judged by the catalog against to.sql loaded alone.

The case folders (tests/cases/dependency_order/<case>/) also converge both ways with their tables
emptied (tests/property/test_case_folders.py); here the rows stay, so a statement that evaluates a
function on them (ADD COLUMN ... DEFAULT f(), a CHECK validated, a generated column, an index
predicate) fails when what the function's body calls is created after it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Databases, run_cli
from corpus_support import load_sql

from flatrender_schema import catalog
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

CASES = Path(__file__).parent / "cases" / "dependency_order"
ROW_COUNT = "select count(*) from public.orders"


@pytest.mark.parametrize("folder", sorted(p for p in CASES.iterdir() if (p / "to.sql").is_file()), ids=lambda p: p.name)
def test_plan_applies_over_rows(folder: Path, dbs: Databases, server_url: str) -> None:
    live_url, want_url = dbs.create("live"), dbs.create("want")
    live, want = dbs.connect(live_url), dbs.connect(want_url)
    assert load_sql(live, folder / "from.sql") is None
    assert load_sql(want, folder / "to.sql") is None
    rows = live.execute(ROW_COUNT).fetchone()
    assert rows is not None and rows[0] > 0, "the case must have rows for its statements to evaluate on"

    r = run_cli(
        "apply", "--yes", "--desired", str(folder / "to.sql"), "--database-url", live_url,
        "--dev-url", server_url, "--now", "2026-11-25",
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]

    assert live.execute(ROW_COUNT).fetchone() == rows
    diff = catalog.compare(catalog.read_snapshot(live, ALWAYS_EXCLUDED), catalog.read_snapshot(want, ALWAYS_EXCLUDED))
    assert not diff, "\n".join(diff[:20])


def test_bodies_calling_each_other_keep_the_order_of_what_the_statements_name() -> None:
    """Mutual recursion across function bodies is a cycle: the order falls back to the statements'
    own names (the default after its function), not to the order given."""
    from flatrender_schema.ordering import plan_order
    from flatrender_schema.step import Step

    texts = [
        "alter table public.t add column c int default public.even(2)",
        "create function public.odd(n int) returns boolean language plpgsql as $$begin return even(n - 1); end$$",
        "create function public.even(n int) returns boolean language plpgsql as $$begin return odd(n - 1); end$$",
        "create function public.helper() returns int language sql as 'select 1'",
        "create function public.a_user() returns int language plpgsql as $$begin return helper(); end$$",
    ]
    statements = [Step.parse(t, "engine") for t in texts]
    order = plan_order(statements)
    assert order.index(2) < order.index(0)
    assert plan_order(statements[3:]) == [0, 1]
    assert plan_order(statements[4:] + statements[3:4]) == [1, 0]
