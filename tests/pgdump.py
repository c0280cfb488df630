"""A canonical `pg_dump --schema-only`, test-only: the independent check of the judge (`catalog.py`).

pg_dump is not the product's dependency; the suite uses it to find what the judge does not see. A dump
is parsed with pglast and each statement printed back canonically, so what differs is the schema, not
pg_dump's layout: statements are compared as a multiset (pg_dump orders by dependency, then by name,
which two equal schemas built differently can order differently), and what the catalogs keep but no
plan is asked to converge is normalised away (`canonical_statement` says what, and why).
"""

from __future__ import annotations

import contextlib
import functools
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pglast
from pglast import ast
from pglast.stream import RawStream
from psycopg import conninfo

from flatrender_schema.postgres.cluster import choose_server
from flatrender_schema.postgres.connect import describe


@dataclass(frozen=True)
class DumpDiff:
    only_first: tuple[str, ...]
    only_second: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.only_first or self.only_second)

    def describe(self, limit: int = 12) -> list[str]:
        out = [f"pg_dump: only in first: {s}" for s in self.only_first[:limit]]
        return out + [f"pg_dump: only in second: {s}" for s in self.only_second[:limit]]


@functools.cache
def pg_dump_binary(major: int) -> str:
    """pg_dump of the server's major where one is installed (the image has 15's), else the newest found."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/pg_dump")]
    with contextlib.suppress(Exception):  # no server of that major: the system's pg_dump
        candidates.insert(0, Path(choose_server(major, strict=True).tool("pg_dump")))
    found = [c for c in candidates if c.is_file()]
    return str(found[0]) if found else "pg_dump"


@functools.cache
def can_dump(major: int) -> bool:
    """pg_dump refuses a server newer than itself: the image has 15's, and the fetched 16-18 ship none."""
    try:
        out = subprocess.run([pg_dump_binary(major), "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return False
    found = re.search(r"\) (\d+)", out) or re.search(r"(\d+)\.\d+", out)
    return bool(found) and int(found.group(1)) >= major  # type: ignore[union-attr]


def dump_schema(url: str, major: int, exclude_schemas: tuple[str, ...] = ("flatrender_schema",)) -> str:
    # Only what pg_dump 15's libpq knows: a newer libpq (psycopg's) adds options such as sslcertmode.
    known = ("host", "port", "user", "dbname", "password")
    params = {k: v for k, v in conninfo.conninfo_to_dict(url).items() if k in known}
    args = [pg_dump_binary(major), "--schema-only", "--no-tablespaces", "-d", conninfo.make_conninfo(**params)]
    for schema in exclude_schemas:
        args += ["--exclude-schema", schema]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"pg_dump failed on {describe(url)}: {result.stderr.strip()[:500]}")
    return result.stdout


def _statements(dump: str) -> list[str]:
    # psql meta-commands (`\restrict KEY`, with a random key, since 15.14) are not SQL.
    text = "\n".join(line for line in dump.splitlines() if not line.startswith("\\"))
    return [s for s in pglast.split(text, with_parser=True)]


def canonical_statement(statement: str) -> str | None:
    """One dump statement printed canonically; None for what is not the schema (session settings).

    Normalised: the order of a table's columns (a plan adds a column at the end, and no plan rewrites a
    table to reorder it; the judge compares columns by name — a documented limit, not a blind spot).
    """
    tree = pglast.parse_sql(statement)[0].stmt
    if isinstance(tree, ast.VariableSetStmt):
        return None
    if isinstance(tree, ast.SelectStmt):  # SELECT pg_catalog.set_config('search_path', ...)
        return None
    if isinstance(tree, ast.CreateStmt) and tree.tableElts:
        columns = sorted((e for e in tree.tableElts if isinstance(e, ast.ColumnDef)), key=lambda c: c.colname)
        others = [e for e in tree.tableElts if not isinstance(e, ast.ColumnDef)]
        tree.tableElts = (*columns, *others)
    return str(RawStream()(tree))


def canonical_dump(dump: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for statement in _statements(dump):
        canonical = canonical_statement(statement)
        if canonical is not None:
            out[canonical] += 1
    return out


def compare_dumps(first: str, second: str) -> DumpDiff:
    a, b = canonical_dump(first), canonical_dump(second)
    return DumpDiff(tuple(sorted((a - b).elements())), tuple(sorted((b - a).elements())))


def compare_databases(first_url: str, second_url: str, major: int) -> DumpDiff:
    return compare_dumps(dump_schema(first_url, major), dump_schema(second_url, major))
