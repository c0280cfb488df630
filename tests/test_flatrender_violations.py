"""Hand-made violations in a scratch copy of schema/ are caught, never silently applied (issue 4, #5);
ignore rules keep objects the tool must not touch out of every plan (issue 6)."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
from conftest import SCHEMA_DIR, TODAY, Databases

from flatrender_schema.apply import apply_plan
from flatrender_schema.desired import load_desired
from flatrender_schema.engine import get_engine
from flatrender_schema.lint import LintOptions, run_lint
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.scratch import DevServer


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, dst)
    return dst


def test_table_without_tenant_id_is_caught(tmp_path: Path) -> None:
    schema = _copy(tmp_path)
    (schema / "studio" / "zz_untenanted.sql").write_text(
        "-- a table someone forgot to scope\n"
        "CREATE TABLE studio.drafts (\n    id uuid PRIMARY KEY,\n    body text\n);\n"
    )
    report = run_lint(schema, (), LintOptions())
    hits = [f for f in report.findings if f.code == "TN101"]
    assert [(Path(f.location.path).name, f.location.line) for f in hits] == [("zz_untenanted.sql", 2)]


def test_cross_schema_foreign_key_is_caught(tmp_path: Path) -> None:
    schema = _copy(tmp_path)
    (schema / "render" / "zz_fk.sql").write_text(
        "ALTER TABLE render.render_jobs\n    ADD CONSTRAINT render_jobs_user_fkey FOREIGN KEY (user_id)"
        " REFERENCES identity.users (id);\n"
    )
    report = run_lint(schema, (), LintOptions())
    assert any(f.code == "XS101" and f.location.path.endswith("zz_fk.sql") for f in report.findings)
    assert run_lint(SCHEMA_DIR, (), LintOptions()).clean


def test_ignored_objects_are_left_alone(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    schema = _copy(tmp_path)
    project = schema / "schema.yaml"
    project.write_text(project.read_text().replace("ignore: []", 'ignore:\n  - "render.legacy_*"'))
    conn: psycopg.Connection = dbs.connect(dbs.create("ignore"))
    desired = load_desired(schema)
    apply_plan(conn, build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY)))
    conn.execute("create table render.legacy_jobs (id int primary key); insert into render.legacy_jobs values (1)")
    conn.execute("create table render.stray (id int)")
    plan = build_plan(conn, desired, dev, get_engine(), PlanOptions(TODAY))
    sqls = [s.sql for s in plan.steps]
    assert not any("legacy_jobs" in s for s in sqls), sqls
    assert any("stray" in s and s.lower().startswith("drop table") for s in sqls), sqls
