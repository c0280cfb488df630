"""A pulled tree onto an existing one: the user's files are kept, only what changed in live is edited.

For each statement of an existing file (its object found by `keys.statement_key`): an object gone from
live is removed from its file; an object whose statement, rendered from live, differs from the same
object rendered from the tree's own shadow is rewritten in place; anything else keeps the user's text,
byte for byte. Objects new in live go after their siblings (an index after its table's statements),
or to the file the layout gives them, a new file when there is none.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass

from pglast import parser

from flatrender_schema.pull.keys import statement_key
from flatrender_schema.pull.layout import join_statements
from flatrender_schema.pull.render import Block


@dataclass(frozen=True)
class Written:
    """One statement of an existing file: where it is (`start` to `end`, its `;` included)."""

    path: str
    start: int
    end: int
    text: str
    key: str | None


def split_file(path: str, text: str) -> list[Written]:
    out = []
    for piece in parser.split(text, with_parser=True, only_slices=True):
        end = piece.stop
        rest = len(text) - len(text[end:].lstrip())
        if rest < len(text) and text[rest] == ";":
            end = rest + 1
        body = text[piece].strip()
        out.append(
            Written(path, piece.start + (len(text[piece]) - len(text[piece].lstrip())), end, body, statement_key(body))
        )
    return out


def _separator(sql: str) -> str:
    return "\n\n" if sql.lstrip().upper().startswith("CREATE") else "\n"


def merge_tree(
    existing: dict[str, str], fresh: dict[str, list[Block]], shadow_sql: dict[str, str]
) -> tuple[dict[str, str | None], list[str]]:
    """New texts of the files that change (None: delete the file), and notes for the report.

    `existing`: relative path -> text of the tree's SQL files; `fresh`: the layout's files of live;
    `shadow_sql`: key -> statement as compared (`Block.compared`), rendered the same way from the tree's shadow."""
    notes: list[str] = []
    order: list[tuple[str, Block, str | None]] = []
    for path, blocks in fresh.items():
        order.extend((path, b, statement_key(b.sql)) for b in blocks)
    live: dict[str, tuple[int, str, Block]] = {}
    for i, (path, block, key) in enumerate(order):
        if key is not None:
            live.setdefault(key, (i, path, block))

    edits: dict[str, list[tuple[int, int, str]]] = defaultdict(list)  # path -> (start, end, replacement)
    placed: set[str] = set()
    anchors: dict[tuple[str | None, str], list[tuple[int, Written]]] = defaultdict(list)
    statements = {path: split_file(path, text) for path, text in sorted(existing.items())}
    for path, written in statements.items():
        for w in written:
            if w.key is None or w.key in placed:
                continue
            placed.add(w.key)
            found = live.get(w.key)
            if found is None:
                edits[path].append((w.start, _deletion_end(existing[path], w.end), ""))
                continue
            index, _, block = found
            anchors[(block.schema, block.home)].append((index, w))
            if shadow_sql.get(w.key) != block.compared:
                edits[path].append((w.start, w.end, block.sql + ";"))

    inserts: dict[tuple[str, int], list[str]] = defaultdict(list)
    new_files: dict[str, list[str]] = defaultdict(list)
    for index, (path, block, key) in enumerate(order):
        if key is not None and (key in placed or key in shadow_sql):
            if key not in placed and shadow_sql.get(key) != block.compared:
                notes.append(f"cannot edit in place (the tree creates it implicitly): {block.sql.splitlines()[0]}")
            continue
        siblings = anchors.get((block.schema, block.home))
        if siblings:
            before = [s for s in siblings if s[0] < index]
            _, anchor = max(before, key=lambda s: s[0]) if before else max(siblings, key=lambda s: s[0])
            inserts[(anchor.path, anchor.end)].append(block.sql)
            siblings.append((index, Written(anchor.path, anchor.end, anchor.end, "", key)))
        elif path in existing:
            inserts[(path, len(existing[path].rstrip()))].append(block.sql)
        else:
            new_files[path].append(block.sql)
    for (path, at), sqls in inserts.items():
        edits[path].append((at, at, "".join(_separator(s) + s + ";" for s in sqls)))

    out: dict[str, str | None] = {}
    for path, changes in edits.items():
        text = existing[path]
        for start, end, replacement in sorted(changes, key=lambda c: (c[0], c[1]), reverse=True):
            text = text[:start] + replacement + text[end:]
        if text == existing[path]:
            continue
        if not text.strip():
            out[path] = None
        else:
            out[path] = text.rstrip() + "\n"
    for path, sqls in new_files.items():
        out[path] = join_statements(sqls)
    return out, notes


def _deletion_end(text: str, end: int) -> int:
    """A removed statement takes the blank space after it along (up to the next statement)."""
    while end < len(text) and text[end] in " \t\r\n":
        end += 1
    return end


def unified_diff(before: dict[str, str], after: dict[str, str | None]) -> str:
    out = []
    for path in sorted(after):
        old, new = before.get(path), after[path]
        out.extend(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                (new or "").splitlines(keepends=True),
                fromfile=f"a/{path}" if old is not None else "/dev/null",
                tofile=f"b/{path}" if new is not None else "/dev/null",
            )
        )
    return "".join(out)
