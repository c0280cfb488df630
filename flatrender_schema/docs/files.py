"""The docs as files: what they should be (pure), writing them, and checking committed ones.

Text files are compared byte for byte. An SVG is compared by the digest of the DOT source it was
drawn from, so `--check` neither needs Graphviz nor depends on its version.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from flatrender_schema.docs import dot, markdown
from flatrender_schema.docs.model import Database, Section
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


def _svg_path(db: Database, section: Section | None) -> str | None:
    """Where a section's SVG goes (None: the whole database), or None when it gets none."""
    tables = db.tables if section is None else section.tables
    if not tables or len(tables) > dot.MAX_TABLES:
        return None
    return markdown.WHOLE_SVG if section is None else f"{SVG_DIR}/{section.slug}.svg"


def svg_files(db: Database) -> list[DocFile]:
    """The SVG files of the docs, as their DOT sources (drawn when written)."""
    files = []
    whole = _svg_path(db, None)
    if whole:
        files.append(DocFile(whole, dot_source=dot.dot_source(db.sections, db.references, keys_only=True,
                                                              bundle=True)))
    for section in db.sections:
        path = _svg_path(db, section)
        if path:
            keys_only = len(section.tables) > dot.ALL_COLUMNS_UP_TO
            files.append(DocFile(path, dot_source=dot.dot_source([section], db.references, keys_only=keys_only)))
    return files


def text_files(db: Database) -> list[DocFile]:
    """The Markdown pages and the tbls JSON."""
    files = [DocFile(markdown.INDEX, markdown.index_page(db, markdown.whole_diagram(db),
                                                         _svg_path(db, None) is not None))]
    for section in db.sections:
        page = markdown.section_page(db, section, markdown.section_diagram(db, section), _svg_path(db, section))
        files.append(DocFile(f"{section.slug}.md", page))
    files.append(DocFile(TBLS_JSON, tbls_schema(db)))
    return files


def doc_files(db: Database) -> list[DocFile]:
    """Every file of the docs for `db`, sorted by path."""
    return sorted(svg_files(db) + text_files(db), key=lambda f: f.path)


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


def _batches(svgs: list[DocFile]) -> list[list[DocFile]]:
    """The SVGs to draw, in one batch per core (a dot process each), of about equal source size."""
    jobs = max(1, min(len(svgs), os.cpu_count() or 1))
    batches: list[list[DocFile]] = [[] for _ in range(jobs)]
    sizes = [0] * jobs
    for f in sorted(svgs, key=lambda f: -len(f.dot_source or "")):
        at = sizes.index(min(sizes))
        batches[at].append(f)
        sizes[at] += len(f.dot_source or "")
    return [b for b in batches if b]


def _pool(jobs: int) -> ThreadPoolExecutor:
    # dot draws in processes of its own, as many at once as there are cores: most of the time at scale.
    return ThreadPoolExecutor(max(1, min(jobs, os.cpu_count() or 1)), thread_name_prefix="dot")


Drawing = dict[str, tuple[Future[list[str]], int]]  # path -> (its batch's SVGs, its place in them)


def _draw(pool: ThreadPoolExecutor, out: Path, svgs: list[DocFile], dot_path: str | None) -> Drawing:
    if dot_path is None:
        return {}
    drawing: Drawing = {}
    for batch in _batches([f for f in svgs if not _current(out / f.path, f)]):
        future = pool.submit(dot.render_svgs, [f.dot_source or "" for f in batch], dot_path)
        drawing.update({f.path: (future, n) for n, f in enumerate(batch)})
    return drawing


def generate_docs(out: Path, db: Database, dot_path: str | None) -> WriteReport:
    """Write the docs of `db` into `out` as `write_docs` does; the SVGs are drawn while the pages
    render (dot runs in its own processes, beside Python)."""
    svgs = svg_files(db)
    with _pool(len(svgs)) as pool:
        drawing = _draw(pool, out, svgs, dot_path)
        return _write(out, sorted(svgs + text_files(db), key=lambda f: f.path), dot_path, drawing)


def write_docs(out: Path, files: list[DocFile], dot_path: str | None) -> WriteReport:
    """Write what changed; draw SVGs with `dot_path` (None: Graphviz missing, SVGs left as they are)."""
    svgs = [f for f in files if f.is_svg]
    with _pool(len(svgs)) as pool:
        return _write(out, files, dot_path, _draw(pool, out, svgs, dot_path))


def _write(out: Path, files: list[DocFile], dot_path: str | None, drawing: Drawing) -> WriteReport:
    report = WriteReport()
    if out.exists() and not out.is_dir():
        raise InputError("the docs output is not a directory", Location.of(out))
    missing_svg = []
    for f in files:
        path = out / f.path
        if f.is_svg and f.path in drawing:
            batch, n = drawing[f.path]
            text = batch.result()[n]
        elif _current(path, f):
            report.unchanged.append(f.path)
            continue
        elif f.is_svg:
            missing_svg.append(f.path)
            continue
        else:
            text = f.text or ""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        report.written.append(f.path)
    for extra in _extra(out, files) if out.is_dir() else []:
        (out / extra).unlink()
        report.removed.append(extra)
    if missing_svg:
        report.notes.append(
            f"Graphviz `dot` not found: {len(missing_svg)} SVG diagram(s) not drawn "
            "(apt-get install graphviz); the Markdown and its Mermaid diagrams are complete"
        )
    return report
