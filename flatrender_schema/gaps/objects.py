"""Owned, privileged and commented objects as the snapshot lists them, named as the catalog areas say."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from flatrender_schema.catalog import AREAS, Snapshot


@dataclass(frozen=True)
class Owned:
    key: tuple[str, ...]
    keyword: str  # for ALTER ... OWNER TO
    grant_keyword: str | None  # for GRANT ... ON <keyword>; None: the kind has no privileges
    name: sql.Composable
    schema: str
    owner: str
    acl: tuple[str, ...]
    row: dict[str, Any]


def owned_objects(snap: Snapshot) -> Iterator[Owned]:
    for area in AREAS.values():
        if area.owner_on is None:
            continue
        for r in snap.rows(area.name):
            keyword, name = area.owner_on(r)
            grant_keyword = area.grant_on(r)[0] if area.grant_on is not None else None
            yield Owned(
                (area.name, *area.key_of(r)), keyword, grant_keyword, name, area.schema_of(r), r["owner"],
                tuple(r.get("acl") or ()), r,
            )


def by_key(snap: Snapshot) -> dict[tuple[str, ...], Owned]:
    return {o.key: o for o in owned_objects(snap)}


def column_pairs(current: Snapshot, target: Snapshot) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(current row, target row) of each column found on both sides, in the target's order."""
    yield from row_pairs(current, target, "columns")


def row_pairs(
    current: Snapshot, target: Snapshot, area: str
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(current row, target row) of each object of `area` found on both sides, in the target's order."""
    key_of = AREAS[area].key_of
    have = {key_of(r): r for r in current.rows(area)}
    for want in target.rows(area):
        cur = have.get(key_of(want))
        if cur is not None:
            yield cur, want
