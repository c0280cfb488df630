"""Issue 18 (speed of the proof): the pulled tree's shadow built on several connections is the database a
build on one connection gives, and a statement that fails is still reported with its file and line."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from conftest import TODAY

from flatrender_schema import catalog
from flatrender_schema.desired import Desired, load_plain
from flatrender_schema.errors import InputError
from flatrender_schema.postgres.connect import connect
from flatrender_schema.pull.build import order_free, parallel_runner
from flatrender_schema.scratch import DevServer
from flatrender_schema.shadow import build_shadow
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

CASE = Path(__file__).parent / "cases" / "pull" / "parallel"
ROLE = "frs_parallel_reader"


def _built(dev: DevServer, desired: Desired, workers: int, ran: list[int] | None = None) -> catalog.Snapshot:
    with dev.roles([ROLE]), dev.database("pullbuild") as conn:
        url = dev.url_for(conn.info.dbname)
        opener: Callable[[], psycopg.Connection] = lambda: connect(url, autocommit=True)  # noqa: E731
        if workers:
            build_shadow(conn, desired, TODAY, parallel_runner(opener, workers, ran))
        else:
            build_shadow(conn, desired, TODAY)
        return catalog.read_snapshot(conn, ALWAYS_EXCLUDED)


def test_parallel_build_gives_the_database_of_a_serial_build(dev: DevServer) -> None:
    """Out-of-order foreign keys, a schema-wide GRANT between table files, a function, a trigger, a view:
    the same snapshot as the one-connection build (which orders and retries statement by statement)."""
    desired = load_plain([CASE])
    serial = _built(dev, desired, 0)
    ran: list[int] = []
    parallel = _built(dev, desired, 2, ran)
    assert catalog.compare(serial, parallel) == []
    assert sum(ran) > 0, "no file was built in parallel"
    tables = {r["name"] for r in parallel.rows("relations") if r["schema"] == "app"}
    assert {"orders", "customers", "regions", "events", "archive", "order_moods"} <= tables
    # Only the tables that existed when the schema-wide GRANT ran got SELECT from it.
    acl = {r["name"]: str(r.get("acl")) for r in parallel.rows("relations") if r["schema"] == "app"}
    assert ROLE in acl["orders"] and ROLE in acl["regions"]
    assert f"{ROLE}=r/" not in acl["archive"]


def test_many_files_are_shared_between_connections(dev: DevServer, tmp_path: Path) -> None:
    """80 table files, each referencing an earlier one (some of which the other connection is still
    building): both connections build files, and the result is the serial build's."""
    (tmp_path / "_schema.sql").write_text("CREATE SCHEMA many;\n")
    for k in range(80):
        ref = f"\n  , parent_id integer REFERENCES many.t{k // 2:02d} (id)" if k else ""
        (tmp_path / f"t{k:02d}.sql").write_text(
            f"CREATE TABLE many.t{k:02d} (\n    id integer PRIMARY KEY{ref}\n  , body text\n);\n\n"
            f"CREATE INDEX t{k:02d}_body_idx ON many.t{k:02d} (body);\nCOMMENT ON TABLE many.t{k:02d} IS 'T{k}';\n"
        )
    desired = load_plain([tmp_path])
    ran: list[int] = []
    parallel = _built(dev, desired, 2, ran)
    assert catalog.compare(_built(dev, desired, 0), parallel) == []
    assert len(ran) == 2 and min(ran) > 0, f"files built per connection: {ran}"
    assert sum(1 for r in parallel.rows("relations") if r["schema"] == "many") == 80


def test_a_failing_statement_is_reported_with_its_file_and_line(dev: DevServer, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(CASE, tree)
    (tree / "c_regions.sql").write_text(
        "CREATE TABLE app.regions (\n    id integer PRIMARY KEY\n);\n\nCREATE INDEX ON app.regions (no_such);\n"
    )
    with pytest.raises(InputError) as caught:
        _built(dev, load_plain([tree]), 2)
    assert caught.value.location is not None
    assert caught.value.location.path.endswith("c_regions.sql") and caught.value.location.line == 5
    assert "no_such" in caught.value.message


@pytest.mark.parametrize(
    ("statement", "free"),
    [
        ("CREATE TABLE a.t (id int)", True),
        ("-- note\nCREATE UNIQUE INDEX i ON a.t (id)", True),
        ("COMMENT ON TABLE a.t IS 'x'", True),
        ("ALTER TABLE a.t ADD CONSTRAINT c CHECK (id > 0)", True),
        ("GRANT SELECT ON a.t TO r", True),
        ("GRANT SELECT ON ALL TABLES IN SCHEMA a TO r", False),
        ("ALTER TABLE a.t RENAME TO u", False),
        ("ALTER TABLE a.t DROP COLUMN x", False),
        ("CREATE TABLE a.u AS SELECT 1", False),
        ("CREATE INDEX CONCURRENTLY i ON a.t (id)", False),
        ("CREATE VIEW a.v AS SELECT 1", False),
        ("SET search_path = a", False),
        ("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO r", False),
    ],
)
def test_only_statements_whose_order_does_not_matter_run_in_parallel(statement: str, free: bool) -> None:
    assert order_free(statement) is free
