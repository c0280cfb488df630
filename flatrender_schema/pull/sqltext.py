"""Small pieces of SQL text: identifiers quoted only where needed, literals, and pglast's prettifier
used only where it provably keeps the statement's meaning."""

from __future__ import annotations

import functools
import re

import pglast
from pglast import parser
from pglast.keywords import UNRESERVED_KEYWORDS

_PLAIN = re.compile(r"^[a-z_][a-z0-9_$]*$")
_LOCATION = re.compile(r',?"(?:stmt_)?(?:location|len)":\d+')


def quote_ident(name: str) -> str:
    """As PostgreSQL's quote_ident: bare when lower-case and not a keyword (unreserved ones stay bare)."""
    if _PLAIN.match(name) and (name in UNRESERVED_KEYWORDS or not _is_keyword(name)):
        return name
    return '"' + name.replace('"', '""') + '"'


@functools.lru_cache(maxsize=1)
def _keywords() -> frozenset[str]:
    from pglast.keywords import COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS

    return frozenset(RESERVED_KEYWORDS) | frozenset(COL_NAME_KEYWORDS) | frozenset(TYPE_FUNC_NAME_KEYWORDS)


def _is_keyword(name: str) -> bool:
    return name in _keywords()


def literal(text: str) -> str:
    """A string literal (standard_conforming_strings, PostgreSQL's default since 9.1)."""
    return "'" + text.replace("'", "''") + "'"


def _tree(sql: str) -> str:
    return _LOCATION.sub("", parser.parse_sql_json(sql))


def pretty(sql: str) -> str:
    """`sql` laid out by pglast's prettifier, or as given when the prettified text would parse to
    another tree (the prettifier is a printer of its own, not the server's deparser)."""
    try:
        out = pglast.prettify(sql, comma_at_eoln=False)
        if _tree(out) == _tree(sql):
            return str(out)
    except Exception:
        pass
    return sql
