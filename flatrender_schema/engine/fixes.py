"""Corrections to engine output that are ours to make (known engine bugs, measured)."""

from __future__ import annotations

import re

_NOT_VALID_FK = re.compile(
    r"^(alter table .*add constraint .* foreign key .*?)\s+not valid\s*;?\s*$", re.I | re.S
)
_ON_ONLY = re.compile(r'^(create (?:unique )?index (?:"(?:[^"]|"")*"|\S+) on) only ', re.I)
# results' change_enum_statement writes the column bare (`alter column user type ...`): a reserved or
# mixed-case column name fails. The name is the text between "column" and " type", repeated after USING.
_ENUM_RETYPE = re.compile(
    r'^(?P<head>alter table (?:"(?:[^"]|"")*"\.)?"(?:[^"]|"")*" alter column )(?P<col>.+?)'
    r'(?P<type> type "(?:[^"]|"")*"\."(?:[^"]|"")*" using )(?P=col)(?P<tail>::text::.*)$', re.S)
_VALIDATE = re.compile(r"^alter table (?P<table>\S+) validate constraint (?P<name>\S+)\s*;?$", re.I | re.S)


def correct_statements(statements: list[str]) -> list[str]:
    """Drop or rewrite statements the engine gets wrong.

    - An index on a partitioned table is deparsed `ON ONLY`, which leaves the partitions without it;
      created plainly it cascades to every partition, as the desired state's own DDL did.
    - results adds foreign keys `NOT VALID` and validates them afterwards; PostgreSQL 15 rejects
      NOT VALID foreign keys on partitioned tables, and the online form is ours to choose (hazards),
      so foreign keys are added plainly and their separate VALIDATE is dropped.
    - A column retyped to a recreated enum is named bare; quoted here.
    """
    out: list[str] = []
    validated_inline: set[str] = set()
    for stmt in statements:
        m = _NOT_VALID_FK.match(stmt)
        if m:
            out.append(m.group(1).rstrip() + ";")
            name = re.search(r"add constraint (\S+)", stmt, re.I)
            if name:
                validated_inline.add(name.group(1))
            continue
        stmt = _ON_ONLY.sub(r"\1 ", stmt)
        stmt = _ENUM_RETYPE.sub(_quote_enum_column, stmt)
        v = _VALIDATE.match(stmt)
        if v and v.group("name") in validated_inline:
            continue
        out.append(stmt if stmt.rstrip().endswith(";") else stmt.rstrip() + ";")
    return out


def _quote_enum_column(m: re.Match[str]) -> str:
    col = m.group("col")
    if col.startswith('"'):
        return m.group(0)
    quoted = '"' + col.replace('"', '""') + '"'
    return f"{m.group('head')}{quoted}{m.group('type')}{quoted}{m.group('tail')}"
