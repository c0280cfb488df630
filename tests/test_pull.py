"""Issue 18: `schema pull` — FlatRender pulled in both layouts and planned again, re-pulls that keep the
user's files, --check, --dry-run, hostile names, the ignore list, and the CLI end to end."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from conftest import SCHEMA_DIR, TODAY, Databases, run_cli
from psycopg import sql
from test_flatrender import converge

from flatrender_schema.desired import load_desired
from flatrender_schema.engine import get_engine
from flatrender_schema.lint import run_lint
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.postgres.connect import with_dbname
from flatrender_schema.pull import PullOptions, check_tree, pull_tree
from flatrender_schema.pull.adopt import load_tree
from flatrender_schema.scratch import DevServer

CASES = Path(__file__).parent / "cases" / "pull"


@pytest.fixture(scope="module")
def flatrender_url(server_url: str) -> Iterator[str]:
    """FlatRender converged from schema/ once: read by some tests, copied (file copy) by others."""
    dbs = Databases(server_url)
    url = dbs.create("pull_fr")
    with DevServer(server_url) as dev, psycopg.connect(url, autocommit=True) as conn:
        converge(conn, dev)
    yield url
    dbs.close()


def _copy(dbs: Databases, template_url: str) -> psycopg.Connection:
    """A new database copied from the converged FlatRender one (which has no session open)."""
    name = f"test_pull_copy_{len(dbs.names)}_{abs(hash(template_url)) % 10**6}"
    template = str(psycopg.conninfo.conninfo_to_dict(template_url)["dbname"])
    dbs.admin.execute(sql.SQL("create database {} template {}").format(sql.Identifier(name), sql.Identifier(template)))
    dbs.names.append(name)
    return dbs.connect(with_dbname(dbs.url, name))


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _plan_is_empty(live: psycopg.Connection, out: Path, layout: str, dev: DevServer) -> list[str]:
    plan = build_plan(live, load_tree(out, layout), dev, get_engine(), PlanOptions(TODAY))
    return [s.sql for s in plan.steps]


@pytest.mark.parametrize("layout", ["plain", "services"])
def test_flatrender_round_trip(flatrender_url: str, dev: DevServer, tmp_path: Path, layout: str) -> None:
    """Acceptance 1 (FlatRender): pull, the proof holds, `schema plan` finds no changes, the services
    layout lints clean, and pulling again changes no byte."""
    out = tmp_path / "pulled"
    with psycopg.connect(flatrender_url, autocommit=True) as live:
        result = pull_tree(live, out, dev, PullOptions(TODAY, layout))
        assert result.proved, result.differences
        assert _plan_is_empty(live, out, layout, dev) == []
        if layout == "services":
            report = run_lint(out)
            assert report.clean, [str(f) for f in report.findings]
        first = _tree(out)
        again = pull_tree(live, out, dev, PullOptions(TODAY, layout))
    assert again.changed == {} and again.proved
    assert _tree(out) == first
    assert len(first) > 55


def test_services_manifests_read_back_the_conventions(flatrender_url: str, dev: DevServer, tmp_path: Path) -> None:
    """Roles, soft references, reads, cross-schema FKs, partitions and extensions as schema/ declares them."""
    out = tmp_path / "pulled"
    with psycopg.connect(flatrender_url, autocommit=True) as live:
        pull_tree(live, out, dev, PullOptions(TODAY, "services"))
    assert_same_conventions(load_desired(out), load_desired(SCHEMA_DIR))


def assert_same_conventions(pulled, reference) -> None:  # type: ignore[no-untyped-def]
    assert pulled.project.owner == reference.project.owner
    assert [e.name for e in pulled.project.extensions] == [e.name for e in reference.project.extensions]
    assert pulled.project.partition_policy == reference.project.partition_policy
    assert sorted(pulled.managed_schemas) == sorted(reference.managed_schemas)
    for want in reference.services:
        got = pulled.service_for_schema(want.schema)
        assert got is not None
        m, w = got.manifest, want.manifest
        assert m.role == w.role
        assert m.soft_references == w.soft_references
        assert sorted(m.reads) == sorted(w.reads)
        assert m.cross_schema_fks == w.cross_schema_fks
        assert m.partitioned == w.partitioned
        assert set(m.tenant_exempt) == set(w.tenant_exempt)


HAND_CHANGES = [
    "alter table content.tags add column color text",
    "create index tags_name_idx on content.tags (name)",
    """create table content.badges (id uuid primary key, tenant_id uuid not null, label text not null)""",
]


def test_repull_changes_only_the_lines_of_hand_made_changes(
    flatrender_url: str, dbs: Databases, dev: DevServer, tmp_path: Path
) -> None:
    """Acceptance 3: after a column, an index and a table were added by hand, the dry run's diff adds
    exactly those lines (no line removed, no other file touched); the pull then writes them."""
    live = _copy(dbs, flatrender_url)
    out = tmp_path / "pulled"
    pull_tree(live, out, dev, PullOptions(TODAY))
    before = _tree(out)
    for statement in HAND_CHANGES:
        live.execute(statement)

    preview = pull_tree(live, out, dev, PullOptions(TODAY, dry_run=True))
    assert preview.proved, preview.differences
    assert _tree(out) == before  # a dry run writes nothing
    assert sorted(preview.changed) == ["content/badges.sql", "content/tags.sql"]
    per_file = _diff_lines(preview.diff)
    new_index = "CREATE INDEX tags_name_idx ON content.tags (name);"
    assert per_file["content/tags.sql"] == (["  , color text", "", new_index], [])
    added, removed = per_file["content/badges.sql"]
    assert removed == [] and added[0] == "CREATE TABLE content.badges (" and "  , label text NOT NULL" in added

    result = pull_tree(live, out, dev, PullOptions(TODAY))
    assert result.proved and sorted(result.changed) == ["content/badges.sql", "content/tags.sql"]
    after = _tree(out)
    assert {k: v for k, v in after.items() if k not in result.changed} == {
        k: v for k, v in before.items() if k not in result.changed
    }
    assert _plan_is_empty(live, out, "plain", dev) == []

    # Gone from live, gone from the files: the index line and the table's file.
    live.execute("drop index content.tags_name_idx")
    live.execute("drop table content.badges")
    removal = pull_tree(live, out, dev, PullOptions(TODAY))
    assert removal.proved and removal.changed["content/badges.sql"] is None
    assert "tags_name_idx" not in (out / "content/tags.sql").read_text()
    assert not (out / "content/badges.sql").exists()


def _diff_lines(diff: str) -> dict[str, tuple[list[str], list[str]]]:
    """Per file of a unified diff: the lines it adds and the lines it removes."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    current: tuple[list[str], list[str]] = ([], [])
    for line in diff.splitlines():
        if line.startswith("+++ "):
            current = out.setdefault(line[len("+++ b/"):], ([], []))
        elif line.startswith("--- "):
            continue
        elif line.startswith("+"):
            current[0].append(line[1:])
        elif line.startswith("-"):
            current[1].append(line[1:])
    return out


def test_repull_into_schema_dir_keeps_the_hand_written_files(
    flatrender_url: str, dbs: Databases, dev: DevServer, tmp_path: Path
) -> None:
    """schema/ itself (hand-formatted SQL, YAML with comments) as the tree: a re-pull against the
    database it built changes no byte; after an index added by hand, only that line is added."""
    live = _copy(dbs, flatrender_url)
    out = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, out)
    mine = _tree(out)
    unchanged = pull_tree(live, out, dev, PullOptions(TODAY, "services"))
    assert unchanged.proved, unchanged.differences
    assert unchanged.changed == {} and _tree(out) == mine
    assert not any("tenant_exempt" in n for n in unchanged.notes)  # the reasons written in schema/ are kept
    live.execute("create index saved_projects_title_idx on studio.saved_projects (title)")
    result = pull_tree(live, out, dev, PullOptions(TODAY, "services", dry_run=True))
    assert result.proved, result.differences
    new_index = "CREATE INDEX saved_projects_title_idx ON studio.saved_projects (title);"
    assert _diff_lines(result.diff) == {"studio/saved_projects.sql": (["", new_index], [])}


def test_check_reports_drift_without_writing(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    url = dbs.create("pull_check")
    live = dbs.connect(url)
    live.execute("create table public.items (id bigint primary key, name text not null)")
    out = tmp_path / "pulled"
    assert pull_tree(live, out, dev, PullOptions(TODAY)).proved
    assert check_tree(live, out, dev, PullOptions(TODAY)).proved
    before = _tree(out)
    live.execute("alter table public.items add column price numeric(10, 2)")
    drift = check_tree(live, out, dev, PullOptions(TODAY))
    assert not drift.proved
    assert any("only in live" in d and "price" in d for d in drift.differences)
    assert _tree(out) == before


def test_what_cannot_be_pulled_is_listed_and_fails_the_proof(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    """A foreign table is not pulled (foreign servers are not): reported, and the proof says so."""
    live = dbs.connect(dbs.create("pull_fdw"))
    live.execute("create foreign data wrapper pull_dummy")
    live.execute("create server pull_srv foreign data wrapper pull_dummy")
    live.execute("create foreign table public.remote (a int) server pull_srv")
    result = pull_tree(live, tmp_path / "pulled", dev, PullOptions(TODAY))
    assert any("foreign table public.remote" in n for n in result.notes)
    assert not result.proved
    assert any("remote" in d and "only in live" in d for d in result.differences)


def test_hostile_names_round_trip(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    live = dbs.connect(dbs.create("pull_hostile"))
    live.execute((CASES / "hostile" / "to.sql").read_text().encode())
    out = tmp_path / "pulled"
    result = pull_tree(live, out, dev, PullOptions(TODAY))
    assert result.proved, result.differences
    assert _plan_is_empty(live, out, "plain", dev) == []
    names = [p.relative_to(out).as_posix() for p in out.rglob("*.sql")]
    assert all(re.fullmatch(r"[a-z0-9_./$-]+", n) for n in names), names  # safe file names, whatever the object's
    again = pull_tree(live, out, dev, PullOptions(TODAY))
    assert again.changed == {}


def _service_role(schema: str, role: str) -> str:
    """The service-role convention, which the services layout reads a service's role from."""
    return (f"do $$ begin if not exists (select from pg_roles where rolname = '{role}') then "
            f"create role {role} nologin; end if; end $$; revoke all on schema {schema} from public;"
            f"grant usage on schema {schema} to {role};"
            f"grant select, insert, update, delete on all tables in schema {schema} to {role};"
            f"grant usage, select on all sequences in schema {schema} to {role}")


def test_ignore_list(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    live = dbs.connect(dbs.create("pull_ignore"))
    live.execute("create schema app; create table app.orders (id int primary key, tenant_id uuid not null);"
                 "create table app.tmp_import (x int); create table public.tmp_scratch (y int);"
                 + _service_role("app", "app_svc"))
    plain = pull_tree(live, tmp_path / "plain", dev, PullOptions(TODAY, ignore=("*.tmp_*",)))
    assert plain.proved, plain.differences
    text = "".join(p.read_text() for p in (tmp_path / "plain").rglob("*.sql"))
    assert "orders" in text and "tmp_" not in text
    services = pull_tree(live, tmp_path / "svc", dev, PullOptions(TODAY, "services", ignore=("app.tmp_*",)))
    assert services.proved, services.differences
    pulled = load_desired(tmp_path / "svc")
    assert pulled.project.ignore == ("app.tmp_*",) and pulled.services[0].manifest.role == "app_svc"
    assert any("public.tmp_scratch" in n for n in services.notes)  # outside the services: reported
    assert build_plan(live, pulled, dev, get_engine(), PlanOptions(TODAY)).empty


def test_a_schema_off_the_service_role_convention_is_reported(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    live = dbs.connect(dbs.create("pull_offconv"))
    live.execute("create schema app; create table app.orders (id int primary key, tenant_id uuid not null)")
    result = pull_tree(live, tmp_path / "svc", dev, PullOptions(TODAY, "services"))
    assert any("app: no role follows the service-role convention" in n for n in result.notes)
    assert not result.proved  # the grants the manifest derives are not live's: listed, exit 1
    assert any("only in the files" in d and "app_svc" in d for d in result.differences)


def test_cli_pull_check_and_dry_run(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    url = dbs.create("pull_cli")
    live = dbs.connect(url)
    live.execute("create schema shop; create table shop.items (id bigint generated always as identity primary key,"
                 " tenant_id uuid not null, name text not null); comment on column shop.items.name is 'shown';"
                 + _service_role("shop", "shop_svc"))
    out = tmp_path / "pulled"
    common = ["--database-url", url, "--dev-url", dev.url, "--now", TODAY.isoformat()]
    r = run_cli("pull", "--out", str(out), "--layout", "services", *common)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Proved" in r.stdout and (out / "shop" / "items.sql").is_file()
    r = run_cli("plan", "--schema-dir", str(out), *common)
    assert r.returncode == 0, r.stdout + r.stderr
    r = run_cli("pull", "--out", str(out), "--layout", "services", "--check", *common)
    assert r.returncode == 0 and "No drift" in r.stdout, r.stdout + r.stderr

    live.execute("alter table shop.items add column sku text")
    r = run_cli("pull", "--out", str(out), "--layout", "services", "--check", *common)
    assert r.returncode == 1 and "Drift" in r.stdout and "sku" in r.stdout, r.stdout + r.stderr
    r = run_cli("pull", "--out", str(out), "--layout", "services", "--dry-run", *common)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "+  , sku text" in r.stdout and "sku" not in (out / "shop" / "items.sql").read_text()
    r = run_cli("pull", "--out", str(out), "--layout", "plain", *common)
    assert r.returncode == 1 and "services layout" in r.stderr, r.stderr
    r = run_cli("pull", "--out", str(out), "--layout", "nested", *common)
    assert r.returncode == 1 and "--layout" in r.stderr


def test_empty_database_pulls_to_an_empty_proved_tree(dbs: Databases, dev: DevServer, tmp_path: Path) -> None:
    live = dbs.connect(dbs.create("pull_empty"))
    result = pull_tree(live, tmp_path / "pulled", dev, PullOptions(TODAY))
    assert result.proved and result.changed == {} and result.files == 0
