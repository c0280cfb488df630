"""Mermaid ER diagrams (GitHub renders them in Markdown): tables, foreign keys solid, soft references dashed.

Entities get safe ids (`e_<schema>__<table>`) and carry their real name as a quoted label; every
character Mermaid or a Markdown fence could read as syntax is written as a Mermaid entity code
(`#quot;`, `#35;`), so hostile names render as themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flatrender_schema.docs.definitions import key_columns
from flatrender_schema.docs.model import Reference, Table, TableKey

# Mermaid's defaults (maxTextSize, maxEdges): past them it draws an error instead of the diagram.
MAX_TEXT = 50_000
MAX_EDGES = 500

# Mermaid reads labels as Markdown too (`_x_`, `*y*`): those are written as codes as well.
_ENCODED = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;", "%": "#37;",
            ";": "#59;", "\\": "#92;", "_": "#95;", "*": "#42;"}
_EMPHASIS = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_WORD_START = re.compile(r"[A-Za-z_]")
_KEYWORDS = {"pk", "fk", "uk"}  # lexed as key markers wherever they stand
_TYPE_SHORT = (("timestamp with time zone", "timestamptz"), ("timestamp without time zone", "timestamp"),
               ("time with time zone", "timetz"), ("time without time zone", "time"),
               ("character varying", "varchar"), ("double precision", "float8"), ("bit varying", "varbit"))


_TO_ENCODE = re.compile(r'["#<>&`%;\\*]|(?<![^\W_])_|_(?![^\W_])|[\x00-\x1f\x7f]')
_NOT_WORD = re.compile(r"[^A-Za-z0-9\-_\[\]().,\u00c0-\U0010ffff]")


def _encode(match: re.Match[str]) -> str:
    ch = match.group()
    return _ENCODED.get(ch, " ")


def text(value: str) -> str:
    """A string for inside a Mermaid quoted label or comment (an underscore inside a word stays:
    Markdown never reads it as emphasis, and names stay readable)."""
    return _TO_ENCODE.sub(_encode, " ".join(value.split()))


def word(value: str) -> str:
    """An attribute type or name as one Mermaid word (other characters become `_`)."""
    out = _NOT_WORD.sub("_", value) or "_"
    if not (_WORD_START.match(out[0]) or ord(out[0]) >= 0xC0):
        out = "_" + out
    if out.lower() in _KEYWORDS:
        out += "_"
    return out


def short_type(sql_type: str) -> str:
    for long, short in _TYPE_SHORT:
        sql_type = sql_type.replace(long, short)
    return sql_type


@dataclass(frozen=True)
class Style:
    """How a diagram marks some of its entities (e.g. the tables a plan adds, changes, drops)."""

    name: str
    css: str
    keys: frozenset[TableKey]
    suffix: str  # appended to the entity's label, so the mark reads without colour too


def entity_ids(keys: Iterable[TableKey]) -> dict[TableKey, str]:
    out: dict[TableKey, str] = {}
    used: set[str] = set()
    for schema, name in sorted(set(keys)):
        base = "e_" + re.sub(r"[^A-Za-z0-9_]", "_", f"{schema}__{name}")
        candidate, n = base, 1
        while candidate.lower() in used:
            n += 1
            candidate = f"{base}_{n}"
        used.add(candidate.lower())
        out[(schema, name)] = candidate
    return out


def _cardinality(ref: Reference) -> str:
    parent = "|o" if ref.nullable else "||"
    child = "o|" if ref.unique else "o{"
    line = ".." if ref.kind == "soft" else "--"
    return f"{parent}{line}{child}"


def _attributes(table: Table, keys_only: bool) -> list[str]:
    fks = {c for r in table.references if r.kind == "fk" for c in r.columns}
    uniques = {key_columns(c.definition) for c in table.constraints if c.kind == "u"}
    out = []
    shown = table.key_columns()
    for col in table.columns:
        if keys_only and col.name not in shown:
            continue
        marks = [m for m, on in (("PK", col.name in table.primary_key), ("FK", col.name in fks)) if on]
        if not marks and (col.name,) in uniques:
            marks.append("UK")
        name = word(col.name)
        # A name Mermaid cannot write as itself (or would read as emphasis) is spelled out beside it.
        faithful = name == col.name and not _EMPHASIS.search(name)
        comment = "" if faithful else f' "{text(col.name)}"'
        out.append(f"    {word(short_type(col.type))} {name}{' ' + ','.join(marks) if marks else ''}{comment}")
    return out


def er_diagram(
    tables: Sequence[Table],
    references: Sequence[Reference],
    *,
    detail: str = "columns",  # "columns", "keys" or "names"
    labels: dict[TableKey, str] | None = None,
    styles: Sequence[Style] = (),
    limit: int | None = None,
) -> str | None:
    """An `erDiagram` of `tables` and the references from them; a reference's target outside
    `tables` is drawn as a bare entity. `labels` overrides an entity's label (default schema.table).
    None when it would be longer than `limit` characters (given up on as soon as it is)."""
    inside = {t.key for t in tables}
    refs = [r for r in references if r.source in inside]
    ids = entity_ids(inside | {r.source for r in refs} | {r.target for r in refs})
    suffix = {k: s.suffix for s in styles for k in s.keys}
    lines = ["erDiagram"]
    by_key = {t.key: t for t in tables}
    size = 0  # of the lines so far: a diagram past `limit` is given up on as soon as it is
    for key, ident in sorted(ids.items(), key=lambda kv: kv[1]):
        label = (labels or {}).get(key, f"{key[0]}.{key[1]}") + suffix.get(key, "")
        table = by_key.get(key)
        attrs = _attributes(table, detail == "keys") if table is not None and detail != "names" else []
        entity = [f'  {ident}["{text(label)}"] {{', *attrs, "  }"] if attrs else [f'  {ident}["{text(label)}"]']
        lines.extend(entity)
        size += sum(len(line) + 1 for line in entity)
        if limit is not None and size > limit:
            return None
    for ref in refs:
        lines.append(f'  {ids[ref.target]} {_cardinality(ref)} {ids[ref.source]} : "{text(ref.label)}"')
    for style in styles:
        marked = sorted(ids[k] for k in style.keys if k in ids)
        if marked:
            lines.append(f"  classDef {style.name} {style.css}")
            lines.append(f"  class {','.join(marked)} {style.name}")
    diagram = "\n".join(lines) + "\n"
    return None if limit is not None and len(diagram) > limit else diagram


def fitting_diagram(tables: Sequence[Table], references: Sequence[Reference], details: Sequence[str]) -> str | None:
    """The most detailed diagram within Mermaid's limits, or None when even names alone are too much."""
    inside = {t.key for t in tables}
    if sum(1 for r in references if r.source in inside) > MAX_EDGES:
        return None
    for detail in details:
        diagram = er_diagram(tables, references, detail=detail, limit=MAX_TEXT)
        if diagram is not None:
            return diagram
    return None
