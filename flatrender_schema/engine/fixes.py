"""Corrections to engine output that are ours to make (known engine bugs, measured)."""

from __future__ import annotations

import re

_NOT_VALID_FK = re.compile(
    r"^(alter table .*add constraint .* foreign key .*?)\s+not valid\s*;?\s*$", re.I | re.S
)
_ON_ONLY = re.compile(r'^(create (?:unique )?index (?:"(?:[^"]|"")*"|\S+) on) only ', re.I)
_NAME = r'(?:"(?:[^"]|"")*"|[^\s".]+)'
_TABLE = rf"{_NAME}(?:\.{_NAME})?"
_ADD_CONSTRAINT = re.compile(rf"^alter table (?P<table>{_TABLE}) add constraint (?P<name>{_NAME})", re.I)
_VALIDATE = re.compile(rf"^alter table (?P<table>{_TABLE}) validate constraint (?P<name>{_NAME})\s*;?$", re.I | re.S)
_COLUMN_CHANGE = re.compile(
    rf"^alter table (?P<table>{_NAME}(?:\.{_NAME})?) alter column (?P<column>{_NAME}) "
    r"(?P<what>set default|set data type)\b", re.I,
)
# results' change_enum_statement writes the column bare (`alter column user type ...`): a reserved or
# mixed-case column name fails. The name is the text between "column" and " type", repeated after USING.
_ENUM_RETYPE = re.compile(
    r'^(?P<head>alter table (?:"(?:[^"]|"")*"\.)?"(?:[^"]|"")*" alter column )(?P<col>.+?)'
    r'(?P<type> type "(?:[^"]|"")*"\."(?:[^"]|"")*" using )(?P=col)(?P<tail>::text::.*)$', re.S)


def correct_statements(statements: list[str]) -> list[str]:
    """Drop or rewrite statements the engine gets wrong.

    - An index on a partitioned table is deparsed `ON ONLY`, which leaves the partitions without it;
      created plainly it cascades to every partition, as the desired state's own DDL did.
    - results adds foreign keys `NOT VALID` and validates them afterwards; PostgreSQL 15 rejects
      NOT VALID foreign keys on partitioned tables, and the online form is ours to choose (hazards),
      so foreign keys it validates are added plainly and their separate VALIDATE is dropped. A foreign
      key it does not validate is NOT VALID in the desired state, and stays so.
    - A column retyped to a recreated enum is named bare; quoted here.
    """
    validated = {(v.group("table"), v.group("name")) for v in map(_VALIDATE.match, statements) if v}
    out: list[str] = []
    validated_inline: set[tuple[str, str]] = set()
    for stmt in statements:
        m = _NOT_VALID_FK.match(stmt)
        key = _fk_key(stmt) if m else None
        if m and key in validated:
            out.append(m.group(1).rstrip() + ";")
            validated_inline.add(key)
            continue
        stmt = _ON_ONLY.sub(r"\1 ", stmt)
        stmt = _ENUM_RETYPE.sub(_quote_enum_column, stmt)
        v = _VALIDATE.match(stmt)
        if v and (v.group("table"), v.group("name")) in validated_inline:
            continue
        out.append(stmt if stmt.rstrip().endswith(";") else stmt.rstrip() + ";")
    return default_after_type(out)


def default_after_type(statements: list[str]) -> list[str]:
    """A column whose type and default both change gets its new default after its new type.

    The engines set the default first (`'pending'::order_status` on a column still of the old enum:
    "default expression is of type ..."); and the old default must go before the type changes,
    PostgreSQL converting it otherwise (an enum to another: "cannot be cast automatically").
    So: drop the default, change the type, set the new default.
    """
    changes = [_COLUMN_CHANGE.match(s) for s in statements]
    retyped = {(m["table"], m["column"]) for m in changes if m and m["what"].lower() == "set data type"}
    defaults = {
        (m["table"], m["column"]): s for m, s in zip(changes, statements, strict=True)
        if m and m["what"].lower() == "set default" and (m["table"], m["column"]) in retyped
    }
    if not defaults:
        return statements
    out: list[str] = []
    for m, stmt in zip(changes, statements, strict=True):
        column = (m["table"], m["column"]) if m else None
        if column in defaults and m["what"].lower() == "set default":
            continue
        if column in defaults:
            out.append(f"alter table {column[0]} alter column {column[1]} drop default;")
            out += [stmt, defaults[column]]
        else:
            out.append(stmt)
    return out


def _fk_key(stmt: str) -> tuple[str, str] | None:
    """(table, constraint) of an engine-written ADD CONSTRAINT, as its VALIDATE writes them."""
    m = _ADD_CONSTRAINT.match(stmt)
    return (m.group("table"), m.group("name")) if m else None


def _quote_enum_column(m: re.Match[str]) -> str:
    col = m.group("col")
    if col.startswith('"'):
        return m.group(0)
    quoted = '"' + col.replace('"', '""') + '"'
    return f"{m.group('head')}{quoted}{m.group('type')}{quoted}{m.group('tail')}"
