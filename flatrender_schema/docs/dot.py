"""Graphviz diagrams: DOT source (pure, deterministic) and SVG through `dot` when it is installed.

Every label is an HTML-like label with its text XML-escaped, and node ids are synthetic (`n1`...),
so no name ever reaches DOT's own syntax. An SVG carries the digest of the DOT source it was drawn
from: whether it is current does not depend on which Graphviz version drew it.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Sequence

from flatrender_schema.docs.mermaid import short_type
from flatrender_schema.docs.model import Reference, Section, Table, TableKey
from flatrender_schema.errors import SchemaError

MAX_TABLES = 400  # one drawing past this takes dot minutes and no one can read it
ALL_COLUMNS_UP_TO = 60  # a section's drawing shows every column up to this many tables, then key columns
DIGEST_MARK = "<!-- flatrender-schema docs source "
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
COLOURS = ("#0969da", "#1a7f37", "#8250df", "#bf3989", "#9a6700", "#cf222e", "#1b7c83", "#57606a")


def xml(value: str) -> str:
    value = _INVALID_XML.sub("\ufffd", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _node(ident: str, table: Table | None, label: str, keys_only: bool, colour: str) -> str:
    rows = [f'<tr><td bgcolor="{colour}" colspan="2"><font color="white"><b>{xml(label)}</b></font></td></tr>']
    if table is not None:
        shown = table.key_columns()
        for col in table.columns:
            if keys_only and col.name not in shown:
                continue
            name = xml(col.name)
            if col.name in table.primary_key:
                name = f"<u>{name}</u>"
            rows.append(f'<tr><td align="left">{name}</td>'
                        f'<td align="left"><font color="#57606a">{xml(short_type(col.type))}</font></td></tr>')
    body = "".join(rows)
    return (f'  {ident} [label=<<table border="0" cellborder="1" cellspacing="0" cellpadding="3">{body}'
            "</table>>];")


def _edge(ids: dict[TableKey, str], ref: Reference) -> str:
    attrs = [f"label=<{xml(ref.label)}>"]
    if ref.kind == "soft":
        attrs += ["style=dashed", 'color="#57606a"', 'fontcolor="#57606a"']
    elif ref.cross_schema:
        attrs += ["penwidth=2", 'color="#cf222e"', 'fontcolor="#cf222e"']
    return f"  {ids[ref.source]} -> {ids[ref.target]} [{', '.join(attrs)}];"


def _bundled(
    sections: Sequence[Section], refs: list[Reference], ids: dict[TableKey, str]
) -> tuple[list[Reference], list[str]]:
    """Soft references from one section to one table outside it, drawn as one edge from the section's
    frame (dozens of `tenant_id` lines to one table say less than one labelled line)."""
    cluster = {t.key: n for n, s in enumerate(sections) for t in s.tables}
    groups: dict[tuple[int, TableKey], list[Reference]] = {}
    kept = []
    for ref in refs:
        if ref.kind == "soft" and cluster.get(ref.target) != cluster[ref.source]:
            groups.setdefault((cluster[ref.source], ref.target), []).append(ref)
        else:
            kept.append(ref)
    lines = []
    for (_, target), group in sorted(groups.items()):
        if len(group) == 1:
            kept.append(group[0])
            continue
        columns = sorted({c for r in group for c in r.columns})
        label = f"soft, from {len(group)} tables: " + ", ".join(columns[:3]) + (", …" if len(columns) > 3 else "")
        anchor = ids[min(r.source for r in group)]
        lines.append(f'  {anchor} -> {ids[target]} [label=<{xml(label)}>, style=dashed, '
                     'color="#57606a", fontcolor="#57606a"];')
    return kept, lines


def dot_source(
    sections: Sequence[Section], references: Sequence[Reference], *, keys_only: bool, bundle: bool = False
) -> str:
    """One digraph: a cluster per section, every table a node; references to tables outside are
    drawn to bare nodes named schema.table. With `bundle`, soft references leaving a section for the
    same table are one edge."""
    tables = [(s, t) for s in sections for t in s.tables]
    inside = {t.key for _, t in tables}
    refs = [r for r in references if r.source in inside]  # incoming ones are listed on the pages
    outside = sorted({r.target for r in refs if r.target not in inside})
    ids: dict[TableKey, str] = {}
    for n, key in enumerate([t.key for _, t in tables] + outside, 1):
        ids[key] = f"n{n}"
    lines = [
        "digraph erd {",
        '  graph [rankdir=LR, newrank=true, fontname="DejaVu Sans", fontsize=12, nodesep=0.3, ranksep=0.9];',
        '  node [shape=plain, fontname="DejaVu Sans", fontsize=10];',
        '  edge [fontname="DejaVu Sans", fontsize=9, arrowsize=0.7];',
    ]
    for n, section in enumerate(sections):
        colour = COLOURS[n % len(COLOURS)]
        lines.append(f"  subgraph cluster_{n} {{")
        lines.append(f'    label=<<b>{xml(section.title)}</b>>; color="{colour}";')
        for table in section.tables:
            lines.append("  " + _node(ids[table.key], table, table.qualified, keys_only, colour))
        lines.append("  }")
    for key in outside:
        lines.append(_node(ids[key], None, f"{key[0]}.{key[1]}", keys_only, "#6e7781"))
    bundled: list[str] = []
    if bundle:
        refs, bundled = _bundled(sections, refs, ids)
    lines.extend(_edge(ids, r) for r in sorted(refs, key=lambda r: (r.source, r.columns, r.target, r.name)))
    lines.extend(bundled)
    lines.append("}")
    return "\n".join(lines) + "\n"


def digest(source: str) -> str:
    return "sha256:" + hashlib.sha256(source.encode()).hexdigest()


def svg_digest(svg_text: str) -> str | None:
    """The source digest an SVG written by `render_svg` carries."""
    at = svg_text.find(DIGEST_MARK)
    if at < 0:
        return None
    return svg_text[at + len(DIGEST_MARK) :].split(" ", 1)[0]


def find_dot() -> str | None:
    return shutil.which("dot")


def _run_dot(source: str, dot: str, timeout: float) -> str:
    try:
        done = subprocess.run([dot, "-Tsvg"], input=source.encode(), capture_output=True, timeout=timeout,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SchemaError(f"Graphviz dot failed: {exc}") from None
    if done.returncode != 0:
        first = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[0]
        raise SchemaError(f"Graphviz dot failed: {first}")
    return done.stdout.decode()


def _marked(source: str, svg: str) -> str:
    # Graphviz's own comment names its version: a stable one names the source instead.
    svg = re.sub(r"<!-- Generated by graphviz[^>]*-->\n?", "", svg)
    mark = f"{DIGEST_MARK}{digest(source)} -->\n"
    at = svg.find("<svg")
    return svg[:at] + mark + svg[at:] if at >= 0 else mark + svg


def render_svg(source: str, dot: str, timeout: float = 120) -> str:
    """SVG for DOT `source`, marked with the source's digest."""
    return _marked(source, _run_dot(source, dot, timeout))


# In one run of several graphs dot prefixes the ids of all but the first with their page.
_PAGE_ID = re.compile(r'(id=")page\d+,\d+_')


def render_svgs(sources: Sequence[str], dot: str, timeout: float = 120) -> list[str]:
    """SVGs for several DOT sources from one dot process (its start costs more than a small graph),
    the same bytes as `render_svg` draws each; a failing batch is drawn one by one, so an error names
    its graph's problem."""
    if len(sources) == 1:
        return [render_svg(sources[0], dot, timeout)]
    try:
        out = _run_dot("".join(sources), dot, timeout * len(sources))
    except SchemaError:
        return [render_svg(s, dot, timeout) for s in sources]
    parts = ["<?xml" + part for part in out.split("<?xml")[1:]]
    if len(parts) != len(sources):
        return [render_svg(s, dot, timeout) for s in sources]
    return [_marked(s, _PAGE_ID.sub(r"\1", svg)) for s, svg in zip(sources, parts, strict=True)]
