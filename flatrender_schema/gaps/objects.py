"""Owned, privileged objects as the snapshot lists them: a key, a SQL name and its GRANT keyword."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from flatrender_schema.catalog import Snapshot

RELATION_KEYWORDS = {
    "r": "table",
    "p": "table",
    "f": "foreign table",
    "v": "view",
    "m": "materialized view",
    "S": "sequence",
    "c": "type",
}
PRIVILEGE_LETTERS = {
    "r": "select",
    "w": "update",
    "a": "insert",
    "d": "delete",
    "D": "truncate",
    "x": "references",
    "t": "trigger",
    "X": "execute",
    "U": "usage",
    "C": "create",
    "c": "connect",
    "T": "temporary",
    "m": "maintain",
}


@dataclass(frozen=True)
class Owned:
    key: tuple[str, ...]
    keyword: str  # for ALTER ... OWNER TO
    grant_keyword: str  # for GRANT ... ON <keyword>
    name: sql.Composable
    schema: str
    owner: str
    acl: tuple[str, ...]
    row: dict[str, Any]


def _qualified(schema: str, name: str) -> sql.Composable:
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(name))


def owned_objects(snap: Snapshot) -> Iterator[Owned]:
    for r in snap.rows("schemas"):
        yield Owned(
            ("schema", r["name"]),
            "schema",
            "schema",
            sql.Identifier(r["name"]),
            r["name"],
            r["owner"],
            tuple(r["acl"]),
            r,
        )
    for r in snap.rows("relations"):
        kw = RELATION_KEYWORDS[r["kind"]]
        grant_kw = "sequence" if kw == "sequence" else "type" if kw == "type" else "table"
        yield Owned(
            ("relation", r["schema"], r["name"]),
            kw,
            grant_kw,
            _qualified(r["schema"], r["name"]),
            r["schema"],
            r["owner"],
            tuple(r["acl"]),
            r,
        )
    for r in snap.rows("functions"):
        name = sql.SQL("{}({})").format(_qualified(r["schema"], r["name"]), sql.SQL(r["args"]))
        kw = (
            "procedure"
            if r["definition"].lstrip().lower().startswith("create or replace procedure")
            else "function"
        )
        yield Owned(
            ("function", r["schema"], r["name"], r["args"]),
            kw,
            kw,
            name,
            r["schema"],
            r["owner"],
            tuple(r["acl"]),
            r,
        )
    for r in snap.rows("types"):
        if r["kind"] == "c":
            continue  # composite types are relations too; listed there
        yield Owned(
            ("type", r["schema"], r["name"]),
            "type",
            "type",
            _qualified(r["schema"], r["name"]),
            r["schema"],
            r["owner"],
            tuple(r["acl"]),
            r,
        )
    for r in snap.rows("domains"):
        yield Owned(
            ("type", r["schema"], r["name"]),
            "domain",
            "domain",
            _qualified(r["schema"], r["name"]),
            r["schema"],
            r["owner"],
            tuple(r["acl"]),
            r,
        )


def by_key(snap: Snapshot) -> dict[tuple[str, ...], Owned]:
    return {o.key: o for o in owned_objects(snap)}


def column_pairs(current: Snapshot, target: Snapshot) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(current row, target row) of each column found on both sides, in the target's order."""
    have = {(r["schema"], r["table"], r["name"]): r for r in current.rows("columns")}
    for want in target.rows("columns"):
        cur = have.get((want["schema"], want["table"], want["name"]))
        if cur is not None:
            yield cur, want
