"""Names out of the definitions PostgreSQL deparses (pg_get_constraintdef, pg_get_indexdef).

The catalog snapshot keeps constraints and indexes as the server writes them. Their shape is fixed
(`FOREIGN KEY (a, "B c") REFERENCES s.t(x)`), so a small tokenizer for identifier lists reads them:
no SQL parser per row, which matters at thousands of tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ForeignKeyDef:
    columns: tuple[str, ...]
    target_schema: str | None  # None: the server left it unqualified (the table is on the search path)
    target_table: str
    target_columns: tuple[str, ...]


_QUOTED = re.compile(r'"((?:[^"]|"")*)"')
_BARE_RUN = re.compile(r"[\w$]+")


def _identifier(text: str, i: int) -> tuple[str, int]:
    """The identifier starting at `text[i]` (quoted or bare) and the index after it."""
    if text[i] == '"':
        m = _QUOTED.match(text, i)
        if m is None:
            raise ValueError("unterminated quoted identifier")
        return m.group(1).replace('""', '"'), m.end()
    m = _BARE_RUN.match(text, i)
    if m is None:
        raise ValueError(f"no identifier at {i}")
    return m.group(), m.end()


_SPACES = re.compile(r"\s*")


def _skip_spaces(text: str, i: int) -> int:
    m = _SPACES.match(text, i)
    return m.end() if m else i


def _close_paren(text: str, i: int) -> int:
    """Index of the `)` matching the `(` at `text[i]` (quotes and string literals respected)."""
    depth, j = 0, i
    while j < len(text):
        ch = text[j]
        if ch in "\"'":
            end = text.find(ch, j + 1)
            while end != -1 and text[end + 1 : end + 2] == ch:
                end = text.find(ch, end + 2)
            j = len(text) if end == -1 else end
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise ValueError("unbalanced parentheses")


# Most lists are bare names (`(id, tenant_id)`): one match reads them, the tokenizer the rest.
_BARE_LIST = re.compile(r"\s*\(([\w$]+(?:, [\w$]+)*)\)")


def identifier_list(text: str, i: int = 0) -> tuple[tuple[str, ...], int]:
    """`(a, "B c")` starting at `text[i]` (spaces skipped) -> (('a', 'B c'), index after `)`)."""
    bare = _BARE_LIST.match(text, i)
    if bare is not None:
        return tuple(bare.group(1).split(", ")), bare.end()
    i = _skip_spaces(text, i)
    if text[i : i + 1] != "(":
        raise ValueError("no identifier list")
    names, i = [], i + 1
    while True:
        i = _skip_spaces(text, i)
        name, i = _identifier(text, i)
        names.append(name)
        i = _skip_spaces(text, i)
        if text[i : i + 1] == ")":
            return tuple(names), i + 1
        if text[i : i + 1] != ",":
            raise ValueError("bad identifier list")
        i += 1


def parse_foreign_key(definition: str) -> ForeignKeyDef | None:
    """`FOREIGN KEY (a) REFERENCES s.t(b) ...` -> its parts; None for a shape it does not know."""
    head = "FOREIGN KEY"
    if not definition.startswith(head):
        return None
    try:
        columns, i = identifier_list(definition, len(head))
        i = _skip_spaces(definition, i)
        if not definition.startswith("REFERENCES", i):
            return None
        i = _skip_spaces(definition, i + len("REFERENCES"))
        first, i = _identifier(definition, i)
        schema, table = None, first
        if definition[i : i + 1] == ".":
            schema = first
            table, i = _identifier(definition, i + 1)
        targets, _ = identifier_list(definition, i)
    except (ValueError, IndexError):
        return None
    return ForeignKeyDef(columns, schema, table, targets)


def key_columns(definition: str) -> tuple[str, ...]:
    """Columns of `PRIMARY KEY (...)` / `UNIQUE [NULLS NOT DISTINCT] (...)`; () when not a plain list."""
    i = definition.find("(")
    if i < 0:
        return ()
    try:
        return identifier_list(definition, i)[0]
    except (ValueError, IndexError):
        return ()


def index_columns(definition: str) -> tuple[str, ...]:
    """The plain columns an index definition lists (`USING btree (a, lower(b), "C" DESC)` -> a, C)."""
    at = definition.find(" USING ")
    start = definition.find("(", at if at >= 0 else 0)
    if start < 0:
        return ()
    try:
        end = _close_paren(definition, start)
    except ValueError:
        return ()
    out: list[str] = []
    for element in _split_top_level(definition[start + 1 : end]):
        element = element.strip()
        try:
            name, j = _identifier(element, 0)
        except (ValueError, IndexError):
            continue  # an expression
        rest = element[j:].lstrip()
        if not rest or rest[0].isalpha() or rest[0] == '"':  # opclass, COLLATE, ASC/DESC, NULLS ...
            out.append(name)
    return tuple(out)


def _split_top_level(text: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            end = text.find(ch, i + 1)
            while end != -1 and text[end + 1 : end + 2] == ch:
                end = text.find(ch, end + 2)
            i = len(text) if end == -1 else end
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts
