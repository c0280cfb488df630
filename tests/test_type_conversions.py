"""Declared type conversions (issue 16): the USING a type change takes, from the manifests or, with
plain `--desired` SQL, from `-- @using` annotations; without one and without a cast, a refused
TYPE_CHANGE_WITHOUT_CAST whose message says how to declare it. Bad declarations are file:line errors.
(Case folders: tests/cases/type_changes, tests/cases/hazards/type_change_without_cast.)"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import yaml
from conftest import TODAY, Databases, run_cli
from psycopg import sql

from flatrender_schema.apply import ApplyOptions, apply_plan
from flatrender_schema.desired import load_desired, load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.errors import InputError
from flatrender_schema.hazards import CATALOGUE
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import DevServer

ROLE = "tc_conversions_svc"


def _project(root: Path, table_sql: str, project_conversions: list[dict[str, str]],
             service_conversions: dict[str, str]) -> Path:
    d = root / "schema"
    (d / "svc").mkdir(parents=True, exist_ok=True)
    (d / "schema.yaml").write_text(yaml.safe_dump(
        {"version": 1, "services": ["svc"], "conversions": project_conversions}))
    (d / "svc" / "service.yaml").write_text(yaml.safe_dump(
        {"schema": "tc", "role": ROLE, "tenant_exempt": {"nodes": "test table"}, "conversions": service_conversions}))
    (d / "svc" / "tables.sql").write_text(table_sql)
    return d


def test_manifest_conversions_keep_the_values(dbs: Databases, dev: DevServer, server_url: str,
                                              tmp_path: Path) -> None:
    url = dbs.create("conv")
    live = dbs.connect(url)
    v1 = _project(tmp_path / "v1", "CREATE TABLE tc.nodes (id int PRIMARY KEY, seen_at timestamptz, version text);",
                  [], {})
    try:
        apply_plan(live, build_plan(live, load_desired(v1), dev, get_engine(), PlanOptions(TODAY)))
        live.execute("insert into tc.nodes values (1, '2026-01-02 03:04:05+00', '17.4.1'), (2, null, '9')")
        v2 = _project(
            tmp_path / "v2", "CREATE TABLE tc.nodes (id int PRIMARY KEY, seen_at bigint, version integer);",
            # timestamptz -> bigint has no cast: declared in schema.yaml; text -> integer in the service's.
            [{"column": "tc.nodes.seen_at", "using": "extract(epoch from seen_at)::bigint"}],
            {"nodes.version": "split_part(version, '.', 1)::integer"},
        )
        plan = build_plan(live, load_desired(v2), dev, get_engine(), PlanOptions(TODAY))
        text = "\n".join(s.sql for s in plan.steps)
        assert "USING CAST(EXTRACT(EPOCH FROM seen_at) AS bigint)" in text, text
        assert "USING CAST(split_part(version, '.', 1) AS integer)" in text, text
        assert "TYPE_CHANGE_WITHOUT_CAST" not in plan.hazard_codes and "DELETES_DATA" not in plan.hazard_codes
        apply_plan(live, plan, ApplyOptions(frozenset(plan.data_loss)))
        rows = live.execute("select id, seen_at, version from tc.nodes order by id").fetchall()
        assert rows == [(1, 1767323045, 17), (2, None, 9)]
        assert build_plan(live, load_desired(v2), dev, get_engine(), PlanOptions(TODAY)).empty
    finally:
        dbs.close_one(url)
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(ROLE)))


FROM_SQL = "create table events (id int primary key, happened_at bigint);\ninsert into events values (1, 86400);\n"
TO_SQL = "create table events (id int primary key, happened_at timestamp);\n"
ANNOTATION = "-- @using events.happened_at: to_timestamp(happened_at) at time zone 'UTC'\n"


def test_cli_refuses_without_a_conversion_and_converts_with_one(
    dbs: Databases, server_url: str, tmp_path: Path
) -> None:
    target = dbs.create("conv_cli")
    dbs.connect(target).execute(FROM_SQL)
    desired = tmp_path / "desired.sql"
    desired.write_text(TO_SQL)
    common = ("--desired", str(desired), "--database-url", target, "--dev-url", server_url, "--now", "2026-11-25")

    r = run_cli("plan", *common)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "TYPE_CHANGE_WITHOUT_CAST" in r.stdout and "-- @using schema.table.column: expression" in r.stdout, r.stdout
    r = run_cli("apply", "--yes", *common)
    assert r.returncode == 1 and "TYPE_CHANGE_WITHOUT_CAST" in r.stdout + r.stderr, r.stdout + r.stderr
    assert dbs.connect(target).execute("select happened_at from events").fetchone() == (86400,)

    desired.write_text(ANNOTATION + TO_SQL)
    r = run_cli("apply", "--yes", "--allow-hazard", "LOSSY_TYPE_CHANGE", *common)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "USING pg_catalog.timezone('UTC', to_timestamp(happened_at))" in r.stdout, r.stdout
    assert dbs.connect(target).execute("select happened_at::text from events").fetchone() == ("1970-01-02 00:00:00",)


def test_the_hazard_says_how_to_declare_a_conversion() -> None:
    message = CATALOGUE["TYPE_CHANGE_WITHOUT_CAST"]
    assert "conversions" in message and "@using" in message and "docs/manifests.md" in message


BAD_ANNOTATIONS = [
    ("-- @using events happened_at\n", 1, "a @using annotation is written `-- @using [schema.]table.column: "),
    ("select 1;\n-- @using events.happened_at: to_timestamp(\n", 2, "the USING expression does not parse"),
    ("-- @using events.happened_at: 1); drop table events; select (1\n", 1, "must be one SQL expression"),
    ("-- @using a.b: 1\n-- @using public.a.b: 2\n", 2, "conversion for public.a.b declared twice (first at "),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD_ANNOTATIONS)
def test_bad_annotation_is_a_file_line_error(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "desired.sql"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_plain([path])
    assert str(info.value).startswith(f"{path}:{line}: "), str(info.value)
    assert message in str(info.value)


def test_annotation_forms(tmp_path: Path) -> None:
    path = tmp_path / "desired.sql"
    path.write_text(
        "-- @using \"My Schema\".\"T\".\"a b\": \"a b\" * 2\n"
        "create table t (x text default '-- @using not.an: annotation');\n"
        "-- @using t.x: x::int\n"
    )
    conversions = load_plain([path]).conversions
    assert {k: v.using for k, v in conversions.items()} == {
        ("My Schema", "T", "a b"): '"a b" * 2', ("public", "t", "x"): "CAST(x AS integer)",
    }


BAD_MANIFESTS = [
    ("schema.yaml", "version: 1\nservices: [a]\nconversions:\n  - column: events.at\n    using: at::int\n", 4,
     "conversions.0.column: write the column as schema.table.column"),
    ("schema.yaml", "version: 1\nservices: [a]\nconversions:\n  - column: s.events.at\n    using: 'at::'\n", 5,
     "conversions.0.using: the USING expression does not parse"),
    ("schema.yaml", "version: 1\nservices: [a]\nconversions:\n  - column: s.events.at\n", 4,
     "conversions.0.using: required key is missing"),
    ("service.yaml", "schema: s\nrole: r\nconversions:\n  events: x::int\n", 3,
     "conversions: 'events': write the column as table.column"),
    ("service.yaml", "schema: s\nrole: r\nconversions:\n  events.at: 'x +'\n", 3,
     "conversions: events.at: the USING expression does not parse"),
]


@pytest.mark.parametrize(("name", "text", "line", "message"), BAD_MANIFESTS)
def test_bad_manifest_conversion_is_a_file_line_error(
    tmp_path: Path, name: str, text: str, line: int, message: str
) -> None:
    from flatrender_schema.manifest import load_project_manifest, load_service_manifest

    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as info:
        (load_project_manifest if name == "schema.yaml" else load_service_manifest)(path)
    assert str(info.value).startswith(f"{path}:{line}: {message}"), str(info.value)
