"""Issue 18 (speed of the proof): a snapshot read on two connections at once is the snapshot read on
one, and the proof still works when the server refuses a second connection."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TODAY, Databases
from psycopg import conninfo, sql

from flatrender_schema import catalog
from flatrender_schema.desired import load_plain
from flatrender_schema.errors import ConnectionFailed
from flatrender_schema.postgres.connect import another, connect
from flatrender_schema.pull import PullOptions, pull_tree
from flatrender_schema.scratch import DevServer
from flatrender_schema.shadow import build_shadow
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

CASE = Path(__file__).parent / "cases" / "pull" / "parallel"
EXTRA = """
create type app.feeling as enum ('ok', 'sad');
create domain app.short_text as text check (char_length(value) < 80);
create sequence app.ticket_no;
create materialized view app.region_count as select count(*) as n from app.regions;
create function app.add(a int, b int) returns int language sql immutable as 'select a + b';
comment on function app.add(int, int) is 'Adds.';
grant usage on schema app to frs_readers_r;
grant select on all tables in schema app to frs_readers_r;
"""
SINGLE = "frs_single_connection"


def test_a_snapshot_read_on_two_connections_is_the_one_read_on_one(dev: DevServer) -> None:
    with dev.roles(["frs_parallel_reader", "frs_readers_r"]), dev.database("readers") as first:
        build_shadow(first, load_plain([CASE]), TODAY)
        first.execute(EXTRA.encode())
        with connect(dev.url_for(first.info.dbname), autocommit=True) as second:
            one = catalog.read_snapshot(first, ALWAYS_EXCLUDED)
            two = catalog.read_snapshot([first, second], ALWAYS_EXCLUDED)
    assert list(two.areas) == list(one.areas)  # the same areas, in the same order
    for area, rows in one.areas.items():
        assert two.areas[area] == rows, area
        assert [list(r) for r in two.areas[area]] == [list(r) for r in rows], f"{area}: key order"
    assert two.fingerprint() == one.fingerprint()
    assert sum(1 for rows in one.areas.values() if rows) >= 10  # many kinds read, not an empty catalog


def test_another_connection_is_to_the_same_database_as_the_same_user(dbs: Databases) -> None:
    url = dbs.create("another")
    conn = dbs.connect(url)
    other = another(conn)
    try:
        assert (other.info.dbname, other.info.user, other.info.password) == (
            conn.info.dbname, conn.info.user, conn.info.password)
        assert other.info.password, "the suite's URLs carry a password: it must be passed on"
        assert other.info.backend_pid != conn.info.backend_pid
        assert other.autocommit
    finally:
        other.close()


def test_the_proof_reads_live_on_its_own_connection_when_a_second_is_refused(
    dbs: Databases, dev: DevServer, tmp_path: Path
) -> None:
    """A role limited to one connection (as a pooler or a quota would): the pull is still proved."""
    url = dbs.create("single")
    setup = dbs.connect(url)
    setup.execute(b"create schema shop; create table shop.item (id int primary key, name text not null);"
                  b" create index item_name_idx on shop.item (name); comment on table shop.item is 'Items.';")
    dbs.admin.execute(sql.SQL("create role {} login connection limit 1").format(sql.Identifier(SINGLE)))
    try:
        parts = conninfo.conninfo_to_dict(url)
        parts["user"] = SINGLE
        live = connect(conninfo.make_conninfo(**parts), autocommit=True)
        try:
            with pytest.raises(ConnectionFailed, match="too many connections"):
                another(live).close()
            result = pull_tree(live, tmp_path / "tree", dev, PullOptions(TODAY))
        finally:
            live.close()
        assert result.proved, result.differences
        assert (tmp_path / "tree" / "shop" / "item.sql").read_text().startswith("CREATE TABLE shop.item")
    finally:
        dbs.close_one(url)
        dbs.admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(SINGLE)))
