"""Issue 4: FlatRender V2 as code — catalog checks, role isolation with SET ROLE, a row chain per service."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from conftest import SCHEMA_DIR, TODAY, Databases
from psycopg import sql

from flatrender_schema import catalog
from flatrender_schema.apply import apply_plan
from flatrender_schema.desired import load_desired
from flatrender_schema.engine import get_engine
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import DevServer
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

SERVICES = {
    "identity": "identity_svc",
    "content": "content_svc",
    "studio": "studio_svc",
    "render": "render_svc",
    "file_mgr": "file_svc",
    "notification": "notification_svc",
}
EXEMPT = {"identity.tenants", "render.nodes", "render.node_health_logs", "render.node_template_cache"}
DEFAULT_TENANT = "00000000-0000-0000-0000-000000000001"


def converge(conn: psycopg.Connection, dev: DevServer, schema_dir: Path = SCHEMA_DIR) -> None:
    desired = load_desired(schema_dir)
    apply_plan(conn, build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY)))
    assert build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY)).empty


@pytest.fixture(scope="module")
def flatrender(server_url: str) -> Iterator[psycopg.Connection]:
    """One converged FlatRender database shared by the read-mostly checks of this module."""
    dbs = Databases(server_url)
    conn = dbs.connect(dbs.create("flatrender"))
    with DevServer(server_url) as dev:
        converge(conn, dev)
    yield conn
    dbs.close()


def _tables(conn: psycopg.Connection) -> set[str]:
    rows = conn.execute(
        "select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where c.relkind in ('r', 'p') and not c.relispartition and n.nspname = any(%s)",
        [list(SERVICES)],
    )
    return {r[0] for r in rows}


def test_two_fresh_databases_converge_to_identical_catalogs(dbs: Databases, dev: DevServer) -> None:
    a, b = dbs.connect(dbs.create("a")), dbs.connect(dbs.create("b"))
    converge(a, dev)
    converge(b, dev)
    diff = catalog.compare(catalog.read_snapshot(a, ALWAYS_EXCLUDED), catalog.read_snapshot(b, ALWAYS_EXCLUDED))
    assert not diff, diff[:10]


def test_every_inventory_table_exists(flatrender: psycopg.Connection) -> None:
    tables = _tables(flatrender)
    inventory = Path(__file__).parents[2] / "shared" / "flatrender-v2" / "INVENTORY.md"
    if not inventory.exists():
        pytest.skip("INVENTORY.md not beside the repository")
    current = None
    expected = set()
    for line in inventory.read_text().splitlines():
        if line.startswith("## ") and "—" in line:
            current = line[3:].split("—")[0].strip()
        elif current in SERVICES and line.startswith("| ") and not line.startswith("| table") and "---" not in line:
            expected.add(f"{current}.{line.split('|')[1].strip()}")
    assert len(expected) == 55
    assert expected <= tables, sorted(expected - tables)


def test_tenant_id_everywhere_but_exemptions(flatrender: psycopg.Connection) -> None:
    rows = flatrender.execute(
        "select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where c.relkind in ('r', 'p') and not c.relispartition and n.nspname = any(%s) and not exists ("
        " select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id'"
        " and a.atttypid = 'uuid'::regtype and a.attnotnull)",
        [list(SERVICES)],
    ).fetchall()
    assert {r[0] for r in rows} == EXEMPT


def test_exactly_one_cross_schema_foreign_key(flatrender: psycopg.Connection) -> None:
    rows = flatrender.execute(
        "select cn.nspname || '.' || c.relname || '.' || a.attname, fn.nspname || '.' || f.relname "
        "from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace cn on cn.oid = c.relnamespace "
        "join pg_class f on f.oid = k.confrelid join pg_namespace fn on fn.oid = f.relnamespace "
        "join pg_attribute a on a.attrelid = k.conrelid and a.attnum = k.conkey[1] "
        "where k.contype = 'f' and cn.nspname <> fn.nspname and k.conparentid = 0"
    ).fetchall()
    assert rows == [("identity.earned_gifts.notification_id", "notification.notifications")]


def test_every_soft_reference_has_its_comment(flatrender: psycopg.Connection) -> None:
    desired = load_desired(SCHEMA_DIR)
    count = 0
    for service in desired.services:
        for column, target in service.manifest.soft_references.items():
            table, col = column.split(".")
            comment = flatrender.execute(
                "select col_description(c.oid, a.attnum) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                "join pg_attribute a on a.attrelid = c.oid where n.nspname = %s and c.relname = %s and a.attname = %s",
                [service.schema, table, col],
            ).fetchone()
            assert comment and comment[0] and target in comment[0], (service.schema, column, target)
            count += 1
    assert count >= 40


def test_partitioned_tables_with_initial_partition(flatrender: psycopg.Connection) -> None:
    for parent, key in (
        ("identity.tenant_api_request_logs", "requested_at"),
        ("render.node_health_logs", "recorded_at"),
    ):
        table = parent.split(".")[1]
        keydef = flatrender.execute("select pg_get_partkeydef(%s::regclass)", [parent]).fetchone()
        assert keydef == (f"RANGE ({key})",)
        first = flatrender.execute(
            "select 1 from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = %s::regclass "
            "and c.relname = %s",
            [parent, f"{table}_2026_01"],
        ).fetchone()
        assert first, f"{parent} lacks its 2026-01 partition"


def test_objects_owned_by_owner_role(flatrender: psycopg.Connection) -> None:
    rows = flatrender.execute(
        "select n.nspname || '.' || c.relname, pg_get_userbyid(c.relowner) from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace where n.nspname = any(%s) and c.relkind in ('r','p','S','v')"
        " and pg_get_userbyid(c.relowner) <> 'flatrender_owner'",
        [list(SERVICES)],
    ).fetchall()
    assert rows == []
    owners = flatrender.execute(
        "select distinct pg_get_userbyid(nspowner) from pg_namespace where nspname = any(%s)", [list(SERVICES)]
    )
    assert [r[0] for r in owners] == ["flatrender_owner"]


def test_default_tenant_row_is_present(flatrender: psycopg.Connection) -> None:
    row = flatrender.execute("select name, kind from identity.tenants where id = %s", [DEFAULT_TENANT]).fetchone()
    assert row == ("FlatRender", "direct")


# -- role isolation, for real, with SET ROLE ---------------------------------------------------


def _can(conn: psycopg.Connection, role: str, statement: str) -> bool:
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
            conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return False
    return True


def _probe_table(conn: psycopg.Connection, schema: str) -> str:
    return conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = %s "
        "and c.relkind in ('r', 'p') and not c.relispartition order by 1 limit 1",
        [schema],
    ).fetchone()[0]


@pytest.mark.parametrize("role_schema", sorted(SERVICES))
@pytest.mark.parametrize("table_schema", sorted(SERVICES))
def test_role_isolation_matrix(flatrender: psycopg.Connection, role_schema: str, table_schema: str) -> None:
    role = SERVICES[role_schema]
    table = f'"{table_schema}"."{_probe_table(flatrender, table_schema)}"'
    own = role_schema == table_schema
    assert _can(flatrender, role, f"select * from {table} limit 1") == own
    assert _can(flatrender, role, f"delete from {table} where false") == own
    assert (
        _can(flatrender, role, f"update {table} set tenant_id = tenant_id where false") == own
        or table.endswith('"tenants"')
        or "render" in table_schema
    )


def test_notification_reads_exactly_users_and_subscriptions(flatrender: psycopg.Connection) -> None:
    for table in ("users", "subscriptions"):
        assert _can(flatrender, "notification_svc", f"select * from identity.{table} limit 1")
        assert not _can(flatrender, "notification_svc", f"delete from identity.{table} where false")
    assert not _can(flatrender, "notification_svc", "select * from identity.payments limit 1")
    assert not _can(flatrender, "notification_svc", "select * from identity.tenants limit 1")


def test_public_gets_nothing(flatrender: psycopg.Connection) -> None:
    role = f"nobody_{uuid.uuid4().hex[:8]}"
    flatrender.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
    try:
        for schema in SERVICES:
            table = f'"{schema}"."{_probe_table(flatrender, schema)}"'
            assert not _can(flatrender, role, f"select * from {table} limit 1")
            usage = flatrender.execute("select has_schema_privilege(%s, %s, 'USAGE')", [role, schema]).fetchone()
            assert usage == (False,)
    finally:
        flatrender.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))


def test_sequences_usable_by_their_service(flatrender: psycopg.Connection) -> None:
    seqs = flatrender.execute(
        "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where c.relkind = 'S' and n.nspname = any(%s)",
        [list(SERVICES)],
    ).fetchall()
    assert seqs, "FlatRender declares identity columns, so it has sequences"
    for schema, seq in seqs:
        assert _can(flatrender, SERVICES[schema], f'select nextval(\'"{schema}"."{seq}"\')')
        other = "content_svc" if schema != "content" else "studio_svc"
        assert not _can(flatrender, other, f'select nextval(\'"{schema}"."{seq}"\')')


def test_table_added_later_is_covered_by_default_privileges(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    conn = dbs.connect(dbs.create("later"))
    converge(conn, dev)
    schema_dir = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema_dir)
    (schema_dir / "studio" / "zz_later.sql").write_text(
        "CREATE TABLE studio.later_things (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), "
        "tenant_id uuid NOT NULL);\nCOMMENT ON COLUMN studio.later_things.tenant_id IS "
        "'soft reference -> identity.tenants.id: owning tenant';\n"
    )
    converge(conn, dev, schema_dir)
    assert _can(conn, "studio_svc", "insert into studio.later_things (tenant_id) values (gen_random_uuid())")
    assert not _can(conn, "render_svc", "select * from studio.later_things")
    # And created by the owner role directly (as a service's own migration would), defaults cover it too.
    with conn.transaction(force_rollback=True):
        conn.execute("set local role flatrender_owner")
        conn.execute("create table studio.made_by_owner (id int)")
        conn.execute("set local role studio_svc")
        conn.execute("insert into studio.made_by_owner values (1)")
