"""Issue 19: `schema docs` — pages, diagrams and tbls JSON from the desired state as the shadow builds it.

Against a real PostgreSQL (the session cluster as dev server). The browser half (Mermaid in Chromium)
is tests/test_schema_docs_browser.py.
"""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO, SCHEMA_DIR, run_cli
from markdown_it import MarkdownIt

from flatrender_schema.desired import load_desired, load_plain
from flatrender_schema.docs.dot import find_dot, render_svg
from flatrender_schema.docs.files import DocFile, check_docs, doc_files, write_docs
from flatrender_schema.docs.model import Database
from flatrender_schema.docs.source import document
from flatrender_schema.errors import SchemaError
from flatrender_schema.scratch import DevServer

CASES = REPO / "tests" / "cases" / "docs"
COMMITTED = REPO / "docs" / "schema"


@pytest.fixture(scope="module")
def flatrender(server_url: str) -> Database:
    with DevServer(server_url) as dev:
        return document(load_desired(SCHEMA_DIR), dev)


@pytest.fixture(scope="module")
def hostile(server_url: str) -> Database:
    with DevServer(server_url) as dev:
        return document(load_plain([CASES / "hostile" / "desired.sql"]), dev)


def _file(files: list[DocFile], path: str) -> str:
    return next(f.text or "" for f in files if f.path == path)


def need_dot() -> str:
    found = find_dot()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Graphviz dot is missing — .ci/run installs it (apt-get install graphviz)")
        pytest.skip("needs Graphviz dot (apt-get install graphviz)")
    return found


def test_flatrender_pages_cover_every_table_reference_and_grant(flatrender: Database) -> None:
    files = doc_files(flatrender)
    desired = load_desired(SCHEMA_DIR)
    assert [s.title for s in flatrender.sections] == [s.name for s in desired.services]
    assert len(flatrender.tables) == 55  # partitions are listed under their table, not as tables
    for section in flatrender.sections:
        page = _file(files, f"{section.slug}.md")
        for table in section.tables:
            assert f"### {table.schema}.{table.name}" in page
        service = desired.service_for_schema(section.schema)
        assert service is not None
        for column, target in service.manifest.soft_references.items():
            table, col = column.split(".")
            # drawn dashed (..) and labelled, listed in the table's references
            assert any(r.kind == "soft" and r.source == (section.schema, table) and r.columns == (col,)
                       and ".".join((*r.target, *r.target_columns)) == target for r in flatrender.references)
            assert f'"soft: {col}"' in page and ("..o{" in page or "..o|" in page)
    earned = next(r for r in flatrender.references if r.source == ("identity", "earned_gifts")
                  and r.columns == ("notification_id",))
    assert earned.kind == "fk" and earned.cross_schema and earned.declared_cross_schema
    assert "cross-schema FK (allowed): notification_id" in _file(files, "identity.md")
    index = _file(files, "README.md")
    matrix = {line.split(" | ")[0].strip("| `"): line for line in index.splitlines() if line.startswith("| `")}
    assert "read: `subscriptions`, `users`" in matrix["notification_svc"]
    assert matrix["identity_svc"].count("read/write: all tables") == 1
    assert matrix["flatrender_owner"].count("| owner ") == 6
    logs = next(t for t in flatrender.tables if t.name == "tenant_api_request_logs")
    assert logs.partition_key == "RANGE (requested_at)" and logs.partition_policy and not logs.partitions


def test_committed_docs_are_current(flatrender: Database) -> None:
    """docs/schema is `schema docs`'s default output for this repository's schema/: never stale."""
    stale = check_docs(COMMITTED, doc_files(flatrender))
    assert stale == [], f"docs/schema is stale, run `schema docs`: {stale}"


# The published shape of tbls's schema.json (k1LoW/tbls, spec/tbls.schema.json_schema.json), restated:
# the required keys of each object and no keys beyond the ones it defines.
def _obj(required: list[str], props: dict[str, object]) -> dict[str, object]:
    return {"type": "object", "required": required, "properties": props, "additionalProperties": False}


STR, BOOL, STRS = {"type": "string"}, {"type": "boolean"}, {"type": "array", "items": {"type": "string"}}
CARD = {"enum": ["zero_or_one", "exactly_one", "zero_or_more", "one_or_more", ""]}
TBLS = _obj(["tables"], {
    "name": STR, "desc": STR,
    "tables": {"type": "array", "items": _obj(["name", "type", "columns"], {
        "name": STR, "type": STR, "comment": STR, "def": STR, "referenced_tables": STRS, "labels": {},
        "columns": {"type": "array", "items": _obj(["name", "type", "nullable"], {
            "name": STR, "type": STR, "nullable": BOOL, "default": {"type": ["string", "null"]},
            "extra_def": STR, "labels": {}, "comment": STR})},
        "indexes": {"type": "array", "items": _obj(["name", "def", "table", "columns"], {
            "name": STR, "def": STR, "table": STR, "columns": STRS, "comment": STR})},
        "constraints": {"type": "array", "items": _obj(["name", "type", "def", "table", "columns"], {
            "name": STR, "type": STR, "def": STR, "table": STR, "referenced_table": STR, "columns": STRS,
            "referenced_columns": STRS, "comment": STR})},
        "triggers": {"type": "array", "items": _obj(["name", "def"], {"name": STR, "def": STR, "comment": STR})},
    })},
    "relations": {"type": "array", "items": _obj(["table", "columns", "parent_table", "parent_columns", "def"], {
        "table": STR, "columns": STRS, "cardinality": CARD, "parent_table": STR, "parent_columns": STRS,
        "parent_cardinality": CARD, "def": STR, "virtual": BOOL})},
    "functions": {}, "enums": {"type": "array", "items": _obj(["name", "values"], {"name": STR, "values": STRS})},
    "driver": _obj(["name"], {"name": STR, "database_version": STR, "meta": {"type": "object"}}),
    "labels": {}, "viewpoints": {},
})


def test_tbls_json_follows_the_published_format(flatrender: Database) -> None:
    data = json.loads(_file(doc_files(flatrender), "schema.json"))
    jsonschema.validate(data, TBLS)
    names = {t["name"] for t in data["tables"]}
    assert len(names) == 55
    for rel in data["relations"]:
        assert rel["table"] in names and rel["parent_table"] in names
    virtual = [r for r in data["relations"] if r.get("virtual")]
    assert len(virtual) == sum(1 for r in flatrender.references if r.kind == "soft") > 50
    assert {"table": "identity.earned_gifts", "parent_table": "notification.notifications"}.items() <= next(
        r for r in data["relations"] if r["columns"] == ["notification_id"]).items()


def _svg_text(svg: str) -> str:
    root = ET.fromstring(svg)  # valid XML, or this raises
    return " ".join(t for el in root.iter() for t in (el.text,) if t)


def test_svgs_are_valid_xml_and_name_every_table(flatrender: Database, tmp_path: Path) -> None:
    dot = need_dot()
    files = doc_files(flatrender)
    svgs = [f for f in files if f.is_svg]
    assert {f.path for f in svgs} == {"erd.svg", *(f"svg/{s.slug}.svg" for s in flatrender.sections)}
    report = write_docs(tmp_path, files, dot)
    assert not report.notes
    whole = _svg_text((tmp_path / "erd.svg").read_text(encoding="utf-8"))
    for table in flatrender.tables:
        assert table.qualified in whole
    for section in flatrender.sections:
        text = _svg_text((tmp_path / "svg" / f"{section.slug}.svg").read_text(encoding="utf-8"))
        for table in section.tables:
            assert table.qualified in text
            assert all(c.name in text for c in table.columns)


def test_without_graphviz_a_note_not_an_error(flatrender: Database, tmp_path: Path) -> None:
    report = write_docs(tmp_path, doc_files(flatrender), None)
    assert len(report.notes) == 1 and "Graphviz" in report.notes[0]
    assert not list(tmp_path.rglob("*.svg")) and (tmp_path / "README.md").is_file()


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_hostile_names_are_escaped_in_markdown_svg_and_json(hostile: Database, tmp_path: Path) -> None:
    names = (CASES / "hostile" / "names.txt").read_text(encoding="utf-8").splitlines()
    files = doc_files(hostile)
    assert len(hostile.tables) == 2 and len(hostile.references) == 1
    md = MarkdownIt("commonmark").enable("table")
    for f in files:
        if not f.path.endswith(".md"):
            continue
        parsed = _Html()
        parsed.feed(md.render(f.text or ""))
        text = "".join(parsed.text)
        if f.path != "README.md":
            for name in names:
                assert name in text, f"{f.path}: {name!r} does not read as itself"
            assert "comment with | pipe, *stars*, _under_, `ticks` and <i>html</i>" in text
            assert "[not a link](http://x) & <u>not html</u>" in text
        tags = {t for t, _ in parsed.tags}
        assert not tags & {"script", "b", "i", "u", "strong"}, f"{f.path}: {tags}"
        assert all(a.get("href") != "http://x" for t, a in parsed.tags if t == "a")
        fences = [t for t in md.parse(f.text or "") if t.type == "fence"]
        assert all(t.content.startswith("erDiagram") for t in fences)  # no name ended a diagram early
    data = json.loads(_file(files, "schema.json"))
    listed = {t["name"] for t in data["tables"]} | {c["name"] for t in data["tables"] for c in t["columns"]}
    for name in names[1:]:
        assert any(name in n for n in listed)
    dot = need_dot()
    write_docs(tmp_path, files, dot)
    for svg in tmp_path.rglob("*.svg"):
        text = _svg_text(svg.read_text(encoding="utf-8"))
        for name in names if svg.name != "erd.svg" else names[:3]:  # erd.svg: key columns only
            assert name in text, f"{svg.name}: {name!r} missing"


def test_svg_staleness_does_not_depend_on_graphviz(flatrender: Database, tmp_path: Path) -> None:
    """An SVG is current when it was drawn from the current DOT source, whoever drew it."""
    files = doc_files(flatrender)
    f = next(f for f in files if f.path == "erd.svg")
    write_docs(tmp_path, files, None)
    (tmp_path / "erd.svg").write_text(render_svg(f.dot_source or "", need_dot()).replace("<svg", "<!-- x -->\n<svg"))
    assert "erd.svg" not in check_docs(tmp_path, files)
    (tmp_path / "erd.svg").write_text(render_svg((f.dot_source or "") + "\n", need_dot()))
    assert "erd.svg" in check_docs(tmp_path, files)


def test_docs_check_fails_after_a_column_is_added_and_passes_after_regenerating(
    server_url: str, tmp_path: Path
) -> None:
    """Acceptance 3, end to end through the CLI."""
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schema)
    out = tmp_path / "docs"
    env = {"SCHEMA_DEV_URL": server_url}
    args = ("docs", "--schema-dir", str(schema), "--out", str(out))
    with DevServer(server_url) as dev:  # the first generation through the library: the CLI runs below
        write_docs(out, doc_files(document(load_desired(schema), dev)), find_dot())
    with (schema / "content" / "taxonomy.sql").open("a", encoding="utf-8") as sql:
        sql.write("\nALTER TABLE content.tags ADD COLUMN colour text;\n")
    stale = run_cli(*args, "--check", env=env)
    assert stale.returncode == 1
    assert f"stale: {out / 'content.md'}" in stale.stderr and f"stale: {out / 'schema.json'}" in stale.stderr
    assert "identity.md" not in stale.stderr
    again = run_cli(*args, env=env)
    assert again.returncode == 0 and "unchanged" in again.stdout
    assert "colour" in (out / "content.md").read_text(encoding="utf-8")
    assert run_cli(*args, "--check", env=env).returncode == 0


def test_plain_desired_gets_a_page_per_schema(server_url: str, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    done = run_cli("docs", "--desired", str(CASES / "plain" / "desired.sql"), "--out", str(out),
                   env={"SCHEMA_DEV_URL": server_url})
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.glob("*.md")) == ["README.md", "billing.md", "shop.md"]
    billing = (out / "billing.md").read_text(encoding="utf-8")
    assert "[shop.orders](shop.md#table-shop-orders)" in billing  # the soft reference, linked across pages
    assert 'e_shop__orders |o..o{ e_billing__invoices : "soft: order_id"' not in billing  # not nullable:
    assert 'e_shop__orders ||..o{ e_billing__invoices : "soft: order_id"' in billing
    assert "invoices_touch" in billing and "invoices_all" in billing and "row-level security on" in billing
    assert "`events_2026`" in billing and "RANGE (at)" in billing
    shop = (out / "shop.md").read_text(encoding="utf-8")
    assert 'e_shop__customers ||--o{ e_shop__orders : "customer_id"' in shop
    assert "identity (always)" in shop


def test_bench_docs_runs_at_20_tables(server_url: str, cluster, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """bench/bench_docs.py's measurement works (no timing asserted)."""
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    import bench_docs
    from synthetic import generate

    to_path, _ = generate(20).write(tmp_path)
    pg_dump = (cluster.server.bindir / "postgres").resolve().parent / "pg_dump"
    with DevServer(server_url) as dev:
        row = bench_docs.measure("synthetic 20", load_plain([to_path]), dev, pg_dump, svg=find_dot() is not None)
    assert row["tables"] == 20 and float(row["beyond"]) > 0 and int(row["bytes"]) > 0  # type: ignore[arg-type]


def test_docs_read_the_areas_they_show_as_the_full_snapshot_has_them(server_url: str) -> None:
    """The docs read only the areas they show, half over a second connection at once: the same rows
    as those areas of the planner's full snapshot (and as one connection reads them)."""
    from flatrender_schema import catalog
    from flatrender_schema.declare import declared_roles
    from flatrender_schema.docs.source import DOC_AREAS, DOCS_DATE, read_built
    from flatrender_schema.planner import ALWAYS_EXCLUDED, ANALYZE_CATALOGS
    from flatrender_schema.shadow import build_shadow

    desired = load_desired(SCHEMA_DIR)
    with DevServer(server_url) as dev, dev.roles(declared_roles(desired)), dev.database("docs_read") as conn:
        build_shadow(conn, desired, DOCS_DATE)
        conn.execute(ANALYZE_CATALOGS)
        two = read_built(conn, dev.url_for(conn.info.dbname))
        one = read_built(conn)
        full = catalog.read_snapshot(conn, ALWAYS_EXCLUDED)
    shown = set(DOC_AREAS)
    assert set(two.snapshot.areas) == shown == set(one.snapshot.areas)
    assert len(full.areas) > len(shown)  # the others (functions, sequences ...) are not read
    for area in shown:
        assert two.snapshot.rows(area) == one.snapshot.rows(area) == full.rows(area), area
    assert two.snapshot.rows("columns") and two.snapshot.rows("constraints")
    assert two.column_order == one.column_order and two.column_order[("identity", "tenants")][:2] == ("id", "slug")


def test_svgs_drawn_in_one_dot_run_are_the_bytes_drawn_one_by_one(flatrender: Database, hostile: Database) -> None:
    """`schema docs` draws its SVGs a batch per dot process: each the same bytes as drawn alone."""
    from flatrender_schema.docs.dot import render_svgs
    from flatrender_schema.docs.files import svg_files

    dot = need_dot()
    sources = [f.dot_source or "" for db in (flatrender, hostile) for f in svg_files(db)]
    assert len(sources) > 2
    assert render_svgs(sources, dot) == [render_svg(s, dot) for s in sources]
    broken = [sources[0], "digraph { a -> }\n"]
    with pytest.raises(SchemaError, match="Graphviz dot failed"):  # the batch fails, the broken one is named
        render_svgs(broken, dot)
