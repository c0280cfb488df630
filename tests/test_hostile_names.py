"""Issue 9, acceptance 2: hostile names round-trip through manifests, SQL, plan and apply.

Schemas, roles, tables, columns and comments are drawn from quotes, `;`, `--`, `$$`, backslashes,
spaces, mixed case, reserved words, Unicode and 63-byte names. Plans must converge, and a canary table
and role outside the declared objects must be untouched.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import psycopg
import yaml
from conftest import TODAY, Databases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from flatrender_schema import catalog
from flatrender_schema.apply import apply_plan
from flatrender_schema.desired import load_desired
from flatrender_schema.engine import get_engine
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import DevServer
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

NASTY = [
    "\"", "'", ";", "--", "$$", "\\", " ", "select", "drop table x;", "Ünï", "日本", "🐘", "A", "a", "_", "/*", "*/",
    "%s", "{}", ")", "(",
]


def _name(max_bytes: int = 63) -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(NASTY), st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")),
                                                      min_size=1, max_size=4))
    return (
        st.lists(piece, min_size=1, max_size=6).map("".join)
        .map(lambda s: s.encode()[:max_bytes].decode("utf-8", "ignore"))
        .filter(lambda s: s.strip() != "" and not s.lower().startswith("pg_") and "\0" not in s)
    )


LONG = "x" * 63  # exactly the limit
names = st.one_of(_name(), st.just(LONG))


def _lit(conn: psycopg.Connection, value: str) -> str:
    return sql.Literal(value).as_string(conn)


def _ident(*parts: str) -> str:
    return ".".join(sql.Identifier(p).as_string(None) for p in parts)


def _write_project(root: Path, schema: str, role: str, owner: str, table: str, column: str, comment: str,
                   conn: psycopg.Connection) -> Path:
    d = root / "schema"
    (d / "svc").mkdir(parents=True)
    (d / "schema.yaml").write_text(yaml.safe_dump(
        {"version": 1, "postgres": 15, "owner": owner, "extensions": [], "services": ["svc"],
         "partition_policy": {"interval": "month", "premake": 0}, "ignore": [], "renames": []},
        allow_unicode=True))
    (d / "svc" / "service.yaml").write_text(yaml.safe_dump(
        {"schema": schema, "role": role, "tenant_exempt": {table: "hostile-name test table"}}, allow_unicode=True))
    (d / "svc" / "objects.sql").write_text(
        f"CREATE TABLE {_ident(schema, table)} (id integer PRIMARY KEY, {_ident(column)} text);\n"
        f"COMMENT ON COLUMN {_ident(schema, table, column)} IS {_lit(conn, comment)};\n"
        f"COMMENT ON TABLE {_ident(schema, table)} IS {_lit(conn, comment + ' (table)')};\n",
        encoding="utf-8",
    )
    return d


@settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "8")), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(schema=names, role=names, owner=names, table=names, column=names, comment=st.text(max_size=80))
def test_hostile_names_converge(
    server_url: str, tmp_path_factory: object, schema: str, role: str, owner: str, table: str, column: str,
    comment: str,
) -> None:
    if len({role, owner}) < 2 or column == "id" or "\0" in comment:
        return
    comment = comment.replace("\0", "")
    dbs = Databases(server_url)
    admin = psycopg.connect(server_url, autocommit=True)
    roles_before = {r[0] for r in admin.execute("select rolname from pg_roles")}
    try:
        url = dbs.create("hostile")
        conn = dbs.connect(url)
        conn.execute("create table public.canary (id int primary key, note text)")
        conn.execute("insert into public.canary values (1, 'untouched')")
        admin.execute("drop role if exists canary_role")
        admin.execute("create role canary_role nologin connection limit 7")
        canary_before = catalog.read_snapshot(conn, ALWAYS_EXCLUDED).rows("relations")
        root = Path(str(tmp_path_factory.mktemp("hostile")))  # type: ignore[attr-defined]
        desired = load_desired(_write_project(root, schema, role, owner, table, column, comment, conn))
        with DevServer(server_url) as dev:
            plan = build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY))
            apply_plan(conn, plan)
            again = build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY))
            assert again.empty, [s.sql for s in again.steps]
        got = conn.execute(
            "select col_description(c.oid, a.attnum), pg_get_userbyid(c.relowner) from pg_class c "
            "join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid "
            "where n.nspname = %s and c.relname = %s and a.attname = %s", [schema, table, column]).fetchone()
        assert got == ((comment or None), owner)
        assert conn.execute("select has_table_privilege(%s, %s, 'INSERT')",
                            [role, _ident(schema, table)]).fetchone() == (True,)
        assert conn.execute("select * from public.canary").fetchall() == [(1, "untouched")]
        canary_after = [r for r in catalog.read_snapshot(conn, ALWAYS_EXCLUDED).rows("relations")
                        if r["schema"] == "public"]
        assert canary_after == [r for r in canary_before if r["schema"] == "public"]
        assert admin.execute("select rolconnlimit, rolcanlogin from pg_roles where rolname = 'canary_role'"
                             ).fetchone() == (7, False)
    finally:
        dbs.close()
        for created in sorted({r[0] for r in admin.execute("select rolname from pg_roles")} - roles_before):
            with contextlib.suppress(psycopg.Error):
                admin.execute(sql.SQL("drop role {}").format(sql.Identifier(created)))
        with contextlib.suppress(psycopg.Error):
            admin.execute("drop role if exists canary_role")
        admin.close()
