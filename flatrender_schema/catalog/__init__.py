"""A canonical snapshot of a database's schema, read straight from the catalogs.

Independent of the diff engine on purpose: it is the judge of convergence (two databases converge
when their snapshots are equal), the source of the live fingerprint, and what the gap layer compares
for the concerns the engine does not see (privileges, ownership, default privileges, comments).
What it reads is described once per kind, in `catalog/areas/` (see `catalog.area.Area`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import Column

from flatrender_schema.acl import normalise_acl
from flatrender_schema.catalog.area import Area
from flatrender_schema.catalog.areas import load as load_areas
from flatrender_schema.citus import judge as citus_judge
from flatrender_schema.focus import Focus, focus_keys, in_focus

AREAS: dict[str, Area] = load_areas()
QUERIES: dict[str, str] = {name: area.query for name, area in AREAS.items()}


@dataclass(frozen=True)
class Snapshot:
    """Rows per catalog area, each a sorted tuple of dicts (JSON-ready)."""

    areas: dict[str, tuple[dict[str, Any], ...]]

    def fingerprint(self) -> str:
        blob = json.dumps(self.areas, sort_keys=True, default=str).encode()
        return "sha256:" + hashlib.sha256(blob).hexdigest()

    def rows(self, area: str) -> tuple[dict[str, Any], ...]:
        return self.areas.get(area, ())

    def __getstate__(self) -> dict[str, Any]:
        return {"areas": self.areas}  # not the computed keys: a pickle is read back faster without them

    @functools.cached_property
    def keyed(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Per area, each row under a hashable stand-in for it; computed once, snapshots are compared often."""
        return {area: {_frozen(r): r for r in rows} for area, rows in self.areas.items()}

    def keyed_area(self, area: str) -> dict[str, dict[str, Any]]:
        """`keyed[area]`, without keying the other areas when they are not keyed yet."""
        if "keyed" in self.__dict__:
            return self.keyed.get(area, {})
        return {_frozen(r): r for r in self.areas.get(area, ())}

    def narrowed(self, only: Focus) -> Snapshot:
        """Just the objects `only` names (as `read_snapshot(..., only=...)` reads them)."""
        return Snapshot({a: tuple(r for r in rows if _named(a, r, only)) for a, rows in self.areas.items()})

    def excluding(self, skip: Callable[[str, str], bool]) -> Snapshot:
        """The snapshot without the objects `skip(schema, name)` rejects (the parts of an object go
        with it). Database-wide areas are kept: they are no schema's."""
        verdicts: dict[tuple[str, str], bool] = {}  # thousands of rows share a table: ask once per name

        def skipped(schema: str, name: str) -> bool:
            verdict = verdicts.get((schema, name))
            if verdict is None:
                verdict = verdicts[(schema, name)] = skip(schema, name)
            return verdict

        def keep(area: Area, row: dict[str, Any]) -> bool:
            if not area.scoped:
                return True
            schema = area.schema_of(row)
            if area.is_schema:
                return not skipped(schema, "")
            names = (str(row[area.parent]), str(row["name"])) if area.parent else (str(row.get("name", "")),)
            return not any(skipped(schema, n) for n in names)

        kept = {a: tuple(r for r in rows if keep(AREAS[a], r)) if a in AREAS else rows for a, rows in self.areas.items()}
        if all(len(kept[a]) == len(rows) for a, rows in self.areas.items()):
            return self  # nothing skipped: keep the computed keys
        return Snapshot(kept)


_PIPELINE_OFF = True  # see _executed
_PLAIN = (str, bool, int, float, type(None))
# Result types psycopg loads as the values above (or lists of them): their columns are kept as loaded.
# bool "char" name int8 int2 int4 text oid float4 float8 bpchar varchar, and the arrays of those.
_PLAIN_OIDS = frozenset({16, 18, 19, 20, 21, 23, 25, 26, 700, 701, 1042, 1043,
                         1000, 1002, 1003, 1016, 1005, 1007, 1009, 1028, 1021, 1022, 1014, 1015})


def _normalise(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return str(value)


def _frozen(row: dict[str, Any]) -> str:
    """A hashable, orderable stand-in for a row of one area (all of an area's rows have the same keys)."""
    return repr(tuple(row.values()))


def _narrowed_query(area: Area) -> str:
    """`area`'s query limited to the objects in %(names)s (`schema` chr(31) `name`); PostgreSQL pushes the
    condition into the query, so the catalog functions run for those objects only."""
    if area.is_schema:
        cond = "q.name = any(%(schema_names)s::text[])"
    else:
        column = area.parent or "name"  # a part goes with its parent
        cond = f'q.schema || chr(31) || q."{column}" = any(%(names)s::text[])'
    return f"select * from ({area.query}) q where {cond}"


def _named(area_name: str, row: dict[str, Any], only: Focus) -> bool:
    area = AREAS.get(area_name)
    if area is None or not area.scoped:
        return True
    if area.is_schema:
        return (str(row["name"]), "") in only
    parent = str(row[area.parent]) if area.parent else None
    return in_focus(only, str(row.get("schema", "")), str(row.get("name", "")), parent)


def read_snapshot(
    conn: psycopg.Connection | Sequence[psycopg.Connection],
    exclude_schemas: Iterable[str] = (),
    only: Focus | None = None,
    areas: Iterable[str] | None = None,
) -> Snapshot:
    """Read the canonical snapshot of the connected database (schemas in `exclude_schemas` left out;
    with `only`, just the objects it names, as `differing_objects` names them; with `areas`, just
    those areas, for a reader that shows only some kinds: the docs).

    Given several connections to the same database, they share the areas, each in its own thread: the
    server runs one query per connection at once (one core each) while this side converts rows. Each
    connection reads in its own transaction: for a database nobody changes meanwhile (a shadow)."""
    conns = [conn] if isinstance(conn, psycopg.Connection) else list(conn)
    params: dict[str, Any] = {"exclude": sorted(exclude_schemas)}
    if only is not None:
        params["names"] = focus_keys(only)
        params["schema_names"] = sorted(schema for schema, name in only if not name)
    wanted = None if areas is None else frozenset(areas)
    queries = [
        (area, area.query if only is None or not area.scoped else _narrowed_query(area))
        for area in sorted(AREAS.values(), key=_larger_first) if wanted is None or area.name in wanted
    ]
    read: dict[str, tuple[dict[str, Any], ...]] = {}
    if len(conns) == 1:
        _read_into(conns[0], iter(queries), params, only, read)
    else:
        pending = iter(queries)  # next() on one iterator, from several threads: each area is read once
        lock = threading.Lock()

        def claimed() -> Iterator[tuple[Area, str]]:
            while True:
                with lock:
                    item = next(pending, None)
                if item is None:
                    return
                yield item

        with ThreadPoolExecutor(len(conns) - 1, thread_name_prefix="snapshot") as pool:
            others = [pool.submit(_read_into, c, claimed(), params, only, read) for c in conns[1:]]
            _read_into(conns[0], claimed(), params, only, read)
            for future in others:
                future.result()
    read = {area.name: read[area.name] for area in AREAS.values() if area.name in read}  # one key order
    citus_judge.read_into(conns[0], params, read)  # Citus: its distribution, never its shards (citus/judge.py)
    return Snapshot(read)


# The areas with a row per column, index, constraint or relation are the slow ones: read first, so that
# readers sharing the areas finish together.
_LARGER = ("columns", "indexes", "relations", "constraints")


def _larger_first(area: Area) -> int:
    return _LARGER.index(area.name) if area.name in _LARGER else len(_LARGER)


def _read_into(
    conn: psycopg.Connection, queries: Iterator[tuple[Area, str]], params: dict[str, Any], only: Focus | None,
    read: dict[str, tuple[dict[str, Any], ...]],
) -> None:
    for area, cur in _executed(conn, queries, params):
        rows = _rows(area, cur)
        if only is not None:  # the query's condition is a superset when a name holds chr(31)
            rows = [r for r in rows if _named(area.name, r, only)]
        read[area.name] = tuple(sorted(rows, key=_frozen))  # the server's order depends on its collation


def _executed(
    conn: psycopg.Connection, queries: Iterator[tuple[Area, str]], params: dict[str, Any]
) -> Iterator[tuple[Area, psycopg.Cursor[Any]]]:
    """Each area with its executed cursor. In pipeline mode all the queries are sent at once: the
    server runs the next while this side converts the rows of the one before, and no query waits for
    a round trip (35 areas)."""
    # Pipeline mode is off for now: pull uses the connection from another thread while the snapshot
    # is read (tests/test_pull_corpus.py migra/extversions failed with the pipeline on).
    if _PIPELINE_OFF or not psycopg.Pipeline.is_supported():
        for area, query in queries:
            with conn.cursor() as cur:
                cur.execute(query, params)  # type: ignore[arg-type]
                yield area, cur
        return
    queries = list(queries)  # claims them all: pipelined, one connection reads every area
    with conn.pipeline():
        cursors = [(area, conn.cursor()) for area, _ in queries]
        try:
            for (_, cur), (_, query) in zip(cursors, queries, strict=True):
                cur.execute(query, params)  # type: ignore[arg-type]
            yield from cursors
        finally:
            for _, cur in cursors:
                cur.close()


def _rows(area: Area, cur: psycopg.Cursor[Any]) -> list[dict[str, Any]]:
    records = cur.fetchall()  # first: in pipeline mode the description arrives with the rows
    return _converted(area, cur.description or [], records)


def _converted(area: Area, columns: Sequence[Column], records: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """An area's fetched rows as the snapshot keeps them: plain values, then the area's own spelling."""
    names = [d.name for d in columns]
    # Most columns are of types loaded as str, int, bool or None already: only the others are converted
    # (a million values at 2,000 tables, where a call per value costs as much as the queries).
    converted = {i for i, d in enumerate(columns) if d.type_code not in _PLAIN_OIDS}
    if converted:
        records = [tuple(_normalise(v) if i in converted else v for i, v in enumerate(r)) for r in records]
    rows = [dict(zip(names, r, strict=True)) for r in records]
    if area.normalise is not None:
        for row in rows:
            area.normalise(row)
    if "acl" in names:
        for row in rows:
            acl = row["acl"]
            row["acl"] = normalise_acl(acl, row.get("owner") or row.get("role")) if acl else []
    return rows


def differing(a: Snapshot, b: Snapshot) -> tuple[Snapshot, Snapshot]:
    """The rows of `a` that `b` lacks, and the rows of `b` that `a` lacks: a row found identical on
    both sides is settled, and whoever compares the two can leave it out."""
    only_a: dict[str, tuple[dict[str, Any], ...]] = {}
    only_b: dict[str, tuple[dict[str, Any], ...]] = {}
    for area in set(a.areas) | set(b.areas):
        if a.rows(area) == b.rows(area):  # both sorted by the rows' keys: equal areas, found in C
            only_a[area] = only_b[area] = ()
            continue
        mine, theirs = a.keyed_area(area), b.keyed_area(area)
        only_a[area] = tuple(r for k, r in mine.items() if k not in theirs)
        only_b[area] = tuple(r for k, r in theirs.items() if k not in mine)
    return Snapshot(only_a), Snapshot(only_b)


# Areas whose objects are types: a changed one is changed under the columns using it.
_TYPE_AREAS = frozenset({"types", "domains", "domain_constraints"})


def differing_objects(a: Snapshot, b: Snapshot) -> Focus:
    """The objects with a row that differs between the two snapshots, named as `Scope.only` names
    them: `(schema, name)`, `(schema, parent)` for a part, `(schema, "")` for a schema."""
    out: set[tuple[str, str]] = set()
    changed_types: set[str] = set()
    for side in differing(a, b):
        for area_name, rows in side.areas.items():
            area = AREAS.get(area_name)
            if area is None or not area.scoped:
                continue
            for r in rows:
                schema = area.schema_of(r)
                if area.is_schema:
                    out.add((schema, ""))
                    continue
                out.update((schema, str(r[f])) for f in ("table", "name", area.parent) if f and f in r)
                if area_name == "sequences" and r.get("owned_by"):
                    owner_schema, owner_table, _ = str(r["owned_by"]).split(".", 2)
                    out.add((owner_schema, owner_table))
                if area_name in _TYPE_AREAS:
                    changed_types.add(str(r.get("domain") or r["name"]))
    if changed_types:
        # A changed enum or domain is changed under the columns using it (the engine recreates an enum
        # and moves its columns): their tables join the focus. The match on the type's name as
        # format_type writes it may take in a few more; a wider focus is still a sound one.
        for snap in (a, b):
            for r in snap.rows("columns"):
                if any(name in str(r["type"]) for name in changed_types):
                    out.add((str(r["schema"]), str(r["table"])))
    return frozenset(out)


def equal(a: Snapshot, b: Snapshot) -> bool:
    return all(
        a.rows(area) == b.rows(area) or a.keyed_area(area).keys() == b.keyed_area(area).keys()
        for area in set(a.areas) | set(b.areas)
    )


def compare(a: Snapshot, b: Snapshot) -> list[str]:
    """Human-readable differences between two snapshots (empty: equal)."""
    only_a, only_b = differing(a, b)
    out: list[str] = []
    for area in sorted(only_a.areas):
        for side, rows in (("first", only_a.rows(area)), ("second", only_b.rows(area))):
            shown = sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)
            out.extend(f"{area}: only in {side}: {row}" for row in shown)
    return out


def explain(current: Snapshot, target: Snapshot) -> list[str]:
    """The differences object by object, as a person reads them: what `current` lacks, has extra, or
    has otherwise (`column public.t.id: identity_start 1 → 3, identity_increment 1 → 4`)."""
    return list(_explained(*differing(current, target)))


def _explained(current: Snapshot, target: Snapshot) -> Iterator[str]:
    for name in sorted(set(current.areas) | set(target.areas)):
        area = AREAS.get(name)
        key_of = area.key_of if area else _frozen
        have = {key_of(r): r for r in current.rows(name)}
        want = {key_of(r): r for r in target.rows(name)}
        kind = area.kind if area else name
        for key in sorted(set(have) | set(want), key=str):
            row = want.get(key) or have[key]
            label = area.label(row) if area else str(key)
            if key not in have:
                yield f"{kind} {label}: missing"
            elif key not in want:
                yield f"{kind} {label}: not in the desired state"
            else:
                changes = [
                    f"{field} {_shown(have[key].get(field))} → {_shown(value)}"
                    for field, value in want[key].items()
                    if have[key].get(field) != value
                ]
                yield f"{kind} {label}: " + ", ".join(changes)


def _shown(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."
