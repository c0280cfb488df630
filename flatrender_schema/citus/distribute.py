"""The statements that turn one distribution into another, from the judge's rows of both sides.

Order: tables leaving a distribution first (`undistribute_table`), then reference tables
(distributed tables may reference them), then each co-location group with its anchor first —
the table the others are `colocate_with`ed to — then its other members, referenced tables before
the tables referencing them (Citus refuses a foreign key from a distributed table to a plain one).
A table already distributed whose column, shard count or group changes is
`alter_distributed_table`, which rewrites its data (hazard REDISTRIBUTES_DATA, see hazards).

Both sides come as the judge's rows (see `judge.py`); the gap layer passes only the rows that
differ, so a table absent from both is already placed alike. The shadow's build passes an empty
current side and the declared rows (`declared_rows`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from flatrender_schema.citus.declared import Declared

Row = dict[str, Any]


@dataclass(frozen=True)
class Side:
    tables: dict[str, Row]  # qualified name -> citus_tables row
    groups: tuple[frozenset[str], ...]  # citus_colocation members

    @classmethod
    def of(cls, tables: Iterable[Row], groups: Iterable[Row]) -> Side:
        return cls({f"{r['schema']}.{r['name']}": r for r in tables},
                   tuple(frozenset(str(m) for m in g["members"]) for g in groups))

    def group_of(self, table: str) -> frozenset[str] | None:
        return next((g for g in self.groups if table in g), None)


def declared_rows(declared: Declared) -> tuple[list[Row], list[Row]]:
    """The judge's rows of a database placed as declared: one co-location group of every
    distributed table, the declared shard count."""
    n = declared.settings.shard_count
    tables: list[Row] = []
    for p in declared.placements:
        if p.kind == "distributed":
            tables.append({"schema": p.table[0], "name": p.table[1], "kind": "distributed",
                           "column": p.column, "shard_count": n})
        elif p.kind == "reference":
            tables.append({"schema": p.table[0], "name": p.table[1], "kind": "reference",
                           "column": None, "shard_count": 1})
    members = sorted(p.qualified for p in declared.distributed)
    groups = [{"schema": members[0].split(".")[0], "name": members[0].split(".", 1)[1], "members": members}] \
        if members else []
    return tables, groups


def _ident(qualified: str) -> sql.Composable:
    schema, _, name = qualified.partition(".")
    return sql.Literal(sql.Identifier(schema, name).as_string(None))


def _call(function: str, *args: sql.Composable) -> sql.Composable:
    return sql.SQL("select {}({})").format(sql.Identifier(function), sql.SQL(", ").join(args))


def _named(name: str, value: sql.Composable) -> sql.Composable:
    return sql.SQL("{} => {}").format(sql.SQL(name), value)


def statements(current: Side, target: Side, order: Sequence[str]) -> list[sql.Composable]:
    """What turns `current` into `target`; `order` lists tables referenced before referencing."""
    rank = {t: i for i, t in enumerate(order)}

    def ordered(names: Iterable[str]) -> list[str]:
        return sorted(names, key=lambda t: (rank.get(t, len(rank)), t))

    out: list[sql.Composable] = []
    # Leaving: distributed or reference now, plain in the target (a table the engine dropped has no row).
    for table in ordered(t for t, r in current.tables.items()
                         if r["kind"] != "citus_local" and t not in target.tables):
        out.append(_call("undistribute_table", _ident(table), _named("cascade_via_foreign_keys", sql.SQL("false"))))
    changed_kind = {t for t, r in target.tables.items()
                    if t in current.tables and current.tables[t]["kind"] != r["kind"]}
    for table in ordered(changed_kind):
        out.append(_call("undistribute_table", _ident(table)))
    placed = {t for t, r in current.tables.items() if t not in changed_kind}  # placed like the target's kind

    for table in ordered(t for t, r in target.tables.items() if r["kind"] == "reference" and t not in placed):
        out.append(_call("create_reference_table", _ident(table)))

    for group in sorted(target.groups, key=lambda g: min(g)):
        # Members already together in one current group stay; the largest such set keeps its place.
        overlaps = [g & group for g in current.groups if g & group and not (g & changed_kind)]
        kept = max(overlaps, key=lambda s: (len(s), [-ord(c) for c in min(s)]), default=frozenset())
        members = ordered(group)
        anchor = ordered(kept)[0] if kept else members[0]
        for table in [anchor, *(m for m in members if m != anchor)]:
            row = target.tables.get(table)
            now = current.tables.get(table) if table in placed else None
            colocate = sql.Literal("none") if table == anchor else _ident(anchor)
            if row is None:  # its own row is alike on both sides: only its group may differ
                if table != anchor and table not in kept:
                    out.append(_call("alter_distributed_table", _ident(table), _named("colocate_with", colocate),
                                     _named("cascade_to_colocated", sql.SQL("false"))))
                continue
            if now is None:
                args = [_ident(table), sql.Literal(row["column"])]
                if table == anchor:
                    args.append(_named("shard_count", sql.Literal(int(row["shard_count"]))))
                args.append(_named("colocate_with", colocate))
                out.append(_call("create_distributed_table", *args))
                continue
            changes: list[sql.Composable] = []
            if now["column"] != row["column"]:
                changes.append(_named("distribution_column", sql.Literal(row["column"])))
            if int(now["shard_count"]) != int(row["shard_count"]) and table == anchor:
                changes.append(_named("shard_count", sql.Literal(int(row["shard_count"]))))
            if table != anchor and table not in kept:
                changes.append(_named("colocate_with", _ident(anchor)))
            elif table == anchor and not kept and current.group_of(table) not in (None, frozenset({table})):
                changes.append(_named("colocate_with", sql.Literal("none")))
            if changes:
                cascade = sql.SQL("true" if table == anchor and kept and len(kept) > 1 else "false")
                out.append(_call("alter_distributed_table", _ident(table), *changes,
                                 _named("cascade_to_colocated", cascade)))
    # Distributed tables of a group whose membership is unchanged (its row is not among the differing
    # ones): only their column or shard count can differ. A shard count is the group's: the first
    # table's change cascades to the others.
    grouped = set().union(*target.groups) if target.groups else set()
    cascaded = False
    for table in ordered(t for t, r in target.tables.items()
                         if r["kind"] == "distributed" and t not in grouped and t in placed):
        row, now = target.tables[table], current.tables[table]
        changes = []
        if now["column"] != row["column"]:
            changes.append(_named("distribution_column", sql.Literal(row["column"])))
        if int(now["shard_count"]) != int(row["shard_count"]) and not cascaded:
            changes.append(_named("shard_count", sql.Literal(int(row["shard_count"]))))
            cascaded = True
            out.append(_call("alter_distributed_table", _ident(table), *changes,
                             _named("cascade_to_colocated", sql.SQL("true"))))
        elif changes:
            out.append(_call("alter_distributed_table", _ident(table), *changes,
                             _named("cascade_to_colocated", sql.SQL("false"))))
    if any("create_reference_table" in repr(s) for s in out):
        # A plain table referencing a new reference table would otherwise be turned into a Citus-local
        # one, which a distributed table it references (or it itself) then cannot be distributed beside.
        out = [sql.SQL("set citus.enable_local_reference_table_foreign_keys = off"), *out,
               sql.SQL("reset citus.enable_local_reference_table_foreign_keys")]
    return out
