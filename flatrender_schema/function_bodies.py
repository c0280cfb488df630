"""The SQL a function's body runs, for ordering by what it references.

PostgreSQL records no dependency on what a PL/pgSQL body, or a SQL body given as a string, calls or
reads (`pg_depend` has neither; only a `BEGIN ATOMIC` body is parsed at creation). Yet a statement
that evaluates the function on existing rows (a column added with its default, a CHECK validated, a
generated column, an index expression) fails if what the body calls does not exist yet. pglast's
PL/pgSQL parser gives the body's statements and expressions as SQL text.
"""

from __future__ import annotations

import json
import re

import pglast
from pglast import ast, parser

_CREATE_FUNCTION = re.compile(r"^\s*create\s+(?:or\s+replace\s+)?(?:function|procedure)\b", re.I)
_ASSIGNMENT = re.compile(r"^[^:]*:=(.*)$", re.S)  # `x := expr` (the PL/pgSQL assignment parse modes)


def body_statements(statement: str, node: ast.Node | None = None) -> list[str]:
    """SQL statements (expressions as `SELECT expr`) the body of `statement`, a CREATE FUNCTION or
    PROCEDURE, runs; empty for anything else or a body in another language. `node`: the statement's
    tree when the caller has it (a planned step), else it is parsed here."""
    if node is None:
        if not _CREATE_FUNCTION.match(statement):
            return []
        try:
            node = pglast.parse_sql(statement)[0].stmt
        except pglast.parser.ParseError:
            return []
    if not isinstance(node, ast.CreateFunctionStmt) or node.sql_body is not None:
        return []  # a BEGIN ATOMIC body is in the statement's own parse tree
    options = {o.defname: o.arg for o in node.options or () if isinstance(o, ast.DefElem)}
    language = getattr(options.get("language"), "sval", "sql").lower()
    body = options.get("as")
    if not body:
        return []
    if language == "sql":
        text = body[0].sval if isinstance(body, tuple) else getattr(body, "sval", "")
        return [text]
    if language != "plpgsql":
        return []
    try:
        tree = json.loads(parser.parse_plpgsql_json(statement))
    except (parser.ParseError, ValueError):
        return []
    return [_as_statement(q) for q in _queries(tree)]


def _queries(node: object) -> list[str]:
    if isinstance(node, dict):
        expr = node.get("PLpgSQL_expr")
        found = [expr["query"]] if isinstance(expr, dict) and isinstance(expr.get("query"), str) else []
        return found + [q for k, v in node.items() if k != "PLpgSQL_expr" for q in _queries(v)]
    if isinstance(node, list):
        return [q for v in node for q in _queries(v)]
    return []


def _as_statement(query: str) -> str:
    """An expression or an assignment as a SELECT; a whole statement as it is."""
    try:
        parser.parse_sql(query)
        return query
    except parser.ParseError:
        pass
    m = _ASSIGNMENT.match(query)
    return "SELECT " + (m.group(1) if m else query)
