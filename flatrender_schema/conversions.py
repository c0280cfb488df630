"""Declared type conversions: the USING expression a column's type change takes.

A type change with no cast (bigint -> timestamp) or whose cast is not what the data needs cannot be
guessed: the user declares it, in `schema.yaml` (`conversions:`), in a `service.yaml`
(`conversions:`), or, with plain `--desired` SQL, in a comment annotation in any desired file:

    -- @using public.events.happened_at: to_timestamp(happened_at)

An expression is parsed here (one SQL expression, nothing else) and kept as PostgreSQL's parser
deparses it, so what reaches a plan is exactly one expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pglast
from pglast import ast, parser

from flatrender_schema.errors import InputError, Location

Column = tuple[str, str, str]  # schema, table, column

_NAME = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_ANNOTATION = re.compile(rf"^--\s*@using\s+(?P<column>{_NAME}(?:\s*\.\s*{_NAME}){{1,2}})\s*:\s*(?P<expr>.*\S)\s*$")
_PART = re.compile(_NAME)
ANNOTATION_FORM = "-- @using [schema.]table.column: expression"


@dataclass(frozen=True)
class Conversion:
    column: Column
    using: str  # one expression, as deparsed
    location: Location | None = None  # where it was declared (for messages)


def using_expression(text: str) -> str:
    """`text` as one SQL expression, deparsed; ValueError saying what is wrong otherwise."""
    text = (text or "").strip()
    if not text:
        raise ValueError("the USING expression is empty")
    try:
        stmts = pglast.parse_sql(f"select ({text})")
    except pglast.parser.ParseError as exc:
        raise ValueError(f"the USING expression does not parse: {exc.args[0] if exc.args else exc}") from None
    select = stmts[0].stmt if len(stmts) == 1 else None
    if (
        not isinstance(select, ast.SelectStmt)
        or len(select.targetList or ()) != 1
        or select.fromClause or select.whereClause or select.groupClause or select.sortClause
    ):
        raise ValueError("the USING expression must be one SQL expression (no statement, no query clauses)")
    from pglast.stream import RawStream  # here: the printers cost `schema lint`'s start more than its checks

    return str(RawStream()(select.targetList[0].val))


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()


def annotations(text: str, path: Path) -> tuple[Conversion, ...]:
    """The `-- @using` annotations of one SQL file (comments only: not inside strings or bodies)."""
    if "@using" not in text:
        return ()
    out: list[Conversion] = []
    try:
        tokens = parser.scan(text)
    except parser.ParseError:
        return ()  # the file's own parse reports it
    for token in tokens:
        if token.name != "SQL_COMMENT":
            continue
        comment = text[token.start:token.end + 1]
        if "@using" not in comment:
            continue
        line = text.count("\n", 0, token.start) + 1
        where = Location.of(path, line)
        m = _ANNOTATION.match(comment.strip())
        if m is None:
            raise InputError(f"a @using annotation is written `{ANNOTATION_FORM}`", where)
        parts = [_unquote(p) for p in _PART.findall(m.group("column"))]
        column = (("public", *parts) if len(parts) == 2 else tuple(parts))
        try:
            expr = using_expression(m.group("expr"))
        except ValueError as exc:
            raise InputError(str(exc), where) from None
        out.append(Conversion(column, expr, where))  # type: ignore[arg-type]
    return tuple(out)


def by_column(conversions: tuple[Conversion, ...]) -> dict[Column, Conversion]:
    """One conversion per column; a column declared twice is an error at its second place."""
    out: dict[Column, Conversion] = {}
    for c in conversions:
        if c.column in out:
            first = out[c.column].location
            raise InputError(
                f"conversion for {'.'.join(c.column)} declared twice" + (f" (first at {first})" if first else ""),
                c.location,
            )
        out[c.column] = c
    return out
