"""A cross-schema foreign key planted in a scratch copy of the real schema/, in every spelling,
yields XS101 at the exact file:line:col of the offending clause (and the copy is otherwise clean)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flatrender_schema.lint import LintOptions, run_lint

SCHEMA = Path(__file__).resolve().parents[2] / "schema"
pytestmark = pytest.mark.skipif(not (SCHEMA / "schema.yaml").exists(), reason="schema/ not written yet")

# (id, file to append to, SQL to append, the clause XS101 must point at)
PLANTS = [
    ("column-references", "identity/users.sql",
     "CREATE TABLE identity.planted (\n    id uuid PRIMARY KEY,\n    tenant_id uuid NOT NULL,\n"
     "    file_id uuid REFERENCES file_mgr.files (id)\n);\n", "REFERENCES file_mgr"),
    ("table-foreign-key-named", "identity/users.sql",
     "CREATE TABLE identity.planted (\n    id uuid PRIMARY KEY,\n    file_id uuid,\n"
     "    CONSTRAINT planted_file_id_fkey FOREIGN KEY (file_id) REFERENCES file_mgr.files (id)\n);\n",
     "CONSTRAINT planted_file_id_fkey"),
    ("table-foreign-key-unnamed", "identity/users.sql",
     "CREATE TABLE identity.planted (\n    id uuid PRIMARY KEY,\n    file_id uuid,\n"
     "    FOREIGN KEY (file_id) REFERENCES file_mgr.files\n);\n", "FOREIGN KEY (file_id)"),
    ("alter-add-constraint", "identity/users.sql",
     "ALTER TABLE identity.users\n    ADD CONSTRAINT users_avatar_fkey FOREIGN KEY (tenant_id)"
     " REFERENCES content.templates (id);\n", "CONSTRAINT users_avatar_fkey"),
    ("alter-add-column", "studio/saved_projects.sql",
     "ALTER TABLE studio.saved_projects ADD COLUMN preset_id uuid REFERENCES content.presets (id);\n",
     "REFERENCES content.presets"),
    ("quoted-identifiers", "render/jobs.sql",
     'ALTER TABLE "render"."render_jobs" ADD CONSTRAINT "render_jobs_user_fkey"\n'
     '    FOREIGN KEY ("user_id") REFERENCES "identity"."users" ("id");\n',
     'CONSTRAINT "render_jobs_user_fkey"'),
    ("mixed-case", "render/jobs.sql",
     "ALTER TABLE Render.Render_Jobs ADD FOREIGN KEY (User_Id) REFERENCES Identity.Users (Id);\n",
     "FOREIGN KEY (User_Id)"),
    ("search-path", "file_mgr/files.sql",
     "SET search_path TO identity, public;\n"
     "ALTER TABLE file_mgr.files ADD CONSTRAINT files_user_fkey\n"
     "    FOREIGN KEY (user_id) REFERENCES users (id);\n",
     "CONSTRAINT files_user_fkey"),
    ("search-path-quoted", "file_mgr/files.sql",
     'SET search_path = "notification";\n'
     "CREATE TABLE file_mgr.planted (\n    id uuid PRIMARY KEY,\n    tenant_id uuid NOT NULL,\n"
     "    n_id uuid REFERENCES notifications\n);\n", "REFERENCES notifications"),
    ("allowed-target-other-column", "identity/gamification.sql",
     "ALTER TABLE identity.earned_gifts ADD CONSTRAINT earned_gifts_user_notification_fkey\n"
     "    FOREIGN KEY (user_id) REFERENCES notification.notifications (id);\n",
     "CONSTRAINT earned_gifts_user_notification_fkey"),
]


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    copy = tmp_path / "schema"
    shutil.copytree(SCHEMA, copy)
    return copy


def test_scratch_copy_is_clean(scratch: Path) -> None:
    report = run_lint(scratch, (), LintOptions())
    assert report.clean, "\n".join(map(str, report.findings))


@pytest.mark.parametrize(("name", "file", "sql", "clause"), PLANTS, ids=[p[0] for p in PLANTS])
def test_planted_cross_schema_fk(scratch: Path, name: str, file: str, sql: str, clause: str) -> None:
    path = scratch / file
    before = path.read_text()
    if not before.endswith("\n"):
        before += "\n"
    path.write_text(before + sql)
    offset = len(before) + sql.index(clause)
    text = before + sql
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1

    report = run_lint(scratch, (), LintOptions())
    xs = [f for f in report.findings if f.code == "XS101"]
    assert [(f.location.path, f.location.line, f.location.col) for f in xs] == [(str(path), line, col)]
    assert not report.clean

    only = run_lint(scratch, (), LintOptions(select=frozenset({"XS101"})))
    assert [str(f.location) for f in only.findings] == [f"{path}:{line}:{col}"]
