"""The docs as files: what they should be (pure), writing them, and checking committed ones.

Text files are compared byte for byte. An SVG is compared by the digest of the DOT source it was
drawn from, so `--check` neither needs Graphviz nor depends on its version.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from flatrender_schema.docs import dot, markdown
from flatrender_schema.docs.model import Database
from flatrender_schema.docs.tbls import tbls_schema
from flatrender_schema.errors import InputError, Location

TBLS_JSON = "schema.json"
SVG_DIR = "svg"


@dataclass(frozen=True)
class DocFile:
    path: str  # relative to the output directory, '/'-separated
    text: str | None = None  # a text file's content
    dot_source: str | None = None  # an SVG's DOT source (drawn when written)

    @property
    def is_svg(self) -> bool:
        return self.dot_source is not None


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def doc_files(db: Database) -> list[DocFile]:
    """Every file of the docs for `db`, sorted by path."""
    files: list[DocFile] = []
    whole_svg = len(db.tables) <= dot.MAX_TABLES and bool(db.tables)
    if whole_svg:
        files.append(DocFile(markdown.WHOLE_SVG, dot_source=dot.dot_source(db.sections, db.references,
                                                                            keys_only=True, bundle=True)))
    files.append(DocFile(markdown.INDEX, markdown.index_page(db, markdown.whole_diagram(db), whole_svg)))
    for section in db.sections:
        svg = None
        if section.tables and len(section.tables) <= dot.MAX_TABLES:
            svg = f"{SVG_DIR}/{section.slug}.svg"
            files.append(DocFile(svg, dot_source=dot.dot_source(
                [section], db.references, keys_only=len(section.tables) > dot.ALL_COLUMNS_UP_TO)))
        page = markdown.section_page(db, section, markdown.section_diagram(db, section), svg)
        files.append(DocFile(f"{section.slug}.md", page))
    files.append(DocFile(TBLS_JSON, tbls_schema(db)))
    return sorted(files, key=lambda f: f.path)


def _generated(path: Path) -> bool:
    """A file an earlier run wrote (ours to remove when it is no longer part of the docs)."""
    try:
        head = path.read_text(encoding="utf-8")[:4096]
    except (OSError, UnicodeDecodeError):
        return False
    return head.startswith(markdown.GENERATED) or dot.DIGEST_MARK in head


def _extra(out: Path, files: list[DocFile]) -> list[str]:
    wanted = {f.path for f in files}
    found = [p for pattern in ("*.md", f"{SVG_DIR}/*.svg", "*.svg") for p in out.glob(pattern) if p.is_file()]
    return sorted(p.relative_to(out).as_posix() for p in found
                  if p.relative_to(out).as_posix() not in wanted and _generated(p))


def _current(path: Path, f: DocFile) -> bool:
    try:
        existing = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if f.is_svg:
        return dot.svg_digest(existing) == dot.digest(f.dot_source or "")
    return existing == f.text


def check_docs(out: Path, files: list[DocFile]) -> list[str]:
    """The stale files: missing, different, or generated earlier and no longer part of the docs."""
    stale = [f.path for f in files if not _current(out / f.path, f)]
    return sorted(stale + (_extra(out, files) if out.is_dir() else []))


def write_docs(out: Path, files: list[DocFile], dot_path: str | None) -> WriteReport:
    """Write what changed; draw SVGs with `dot_path` (None: Graphviz missing, SVGs left as they are)."""
    report = WriteReport()
    if out.exists() and not out.is_dir():
        raise InputError("the docs output is not a directory", Location.of(out))
    missing_svg, to_draw = [], []
    for f in files:
        path = out / f.path
        if _current(path, f):
            report.unchanged.append(f.path)
        elif f.is_svg:
            (to_draw if dot_path is not None else missing_svg).append(f)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f.text or "", encoding="utf-8")
            report.written.append(f.path)
    if to_draw and dot_path is not None:
        # One dot process per diagram, as many at once as there are cores: most of the time at scale.
        with ThreadPoolExecutor(max(1, min(len(to_draw), os.cpu_count() or 1))) as pool:
            drawn = list(pool.map(lambda f: dot.render_svg(f.dot_source or "", dot_path), to_draw))
        for f, svg in zip(to_draw, drawn, strict=True):
            (out / f.path).parent.mkdir(parents=True, exist_ok=True)
            (out / f.path).write_text(svg, encoding="utf-8")
            report.written.append(f.path)
    report.written.sort()
    for extra in _extra(out, files) if out.is_dir() else []:
        (out / extra).unlink()
        report.removed.append(extra)
    if missing_svg:
        report.notes.append(
            f"Graphviz `dot` not found: {len(missing_svg)} SVG diagram(s) not drawn "
            "(apt-get install graphviz); the Markdown and its Mermaid diagrams are complete"
        )
    return report
