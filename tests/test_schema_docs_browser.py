"""Issue 19, acceptance 1: every Mermaid diagram of the docs renders in a real browser.

Headless Chromium loads a local page with the `mermaid` npm package's bundle (file://, no network);
each diagram is rendered with mermaid.render and read back with --dump-dom. A screenshot of
FlatRender's whole-database diagram is kept as an artifact (SCHEMA_TEST_ARTIFACTS, else tmp_path).
"""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, SCHEMA_DIR
from docs_browser import artifact_dir, render_mermaid

from flatrender_schema.desired import load_desired, load_plain
from flatrender_schema.docs.files import doc_files
from flatrender_schema.docs.source import document
from flatrender_schema.scratch import DevServer

HOSTILE = REPO / "tests" / "cases" / "docs" / "hostile"
BROKEN = "erDiagram\n  a ||--|| \n"  # the harness must see a failure as one


def _blocks(text: str) -> list[str]:
    return [block.split("\n```")[0] for block in text.split("```mermaid\n")[1:]]


def test_every_docs_diagram_renders_in_chromium(server_url: str, tmp_path: Path) -> None:
    with DevServer(server_url) as dev:
        flatrender = document(load_desired(SCHEMA_DIR), dev)
        hostile = document(load_plain([HOSTILE / "desired.sql"]), dev)
    diagrams: list[tuple[str, str]] = []
    for label, db in (("flatrender", flatrender), ("hostile", hostile)):
        for f in doc_files(db):
            if f.path.endswith(".md"):
                diagrams += [(f"{label}/{f.path}", d) for d in _blocks(f.text or "")]
    assert [name for name, _ in diagrams[:7]] == ["flatrender/README.md", *(
        f"flatrender/{s.slug}.md" for s in sorted(flatrender.sections, key=lambda s: s.slug))]
    shots = artifact_dir("docs", tmp_path)
    drawn = render_mermaid([d for _, d in diagrams] + [BROKEN], tmp_path / "page", shots / "flatrender-erd.png",
                           (2400, 1600))
    assert len(drawn) == len(diagrams) + 1
    assert not drawn[-1].ok, "a broken diagram was not seen as broken"
    failed = [(name, r.error[:300]) for (name, _), r in zip(diagrams, drawn, strict=False) if not r.ok]
    assert not failed, failed
    assert all(r.has_svg for r in drawn[:-1])
    whole = drawn[0].text
    for table in flatrender.tables:
        assert table.qualified in whole
    names = (HOSTILE / "names.txt").read_text(encoding="utf-8").splitlines()
    hostile_text = " ".join(r.text for (name, _), r in zip(diagrams, drawn, strict=False) if name.startswith("hostile"))
    for name in names:
        assert " ".join(name.split()) in hostile_text, f"{name!r} is not drawn as itself"
    assert (shots / "flatrender-erd.png").stat().st_size > 10_000
