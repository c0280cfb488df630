"""Hazards: each planned statement's parse tree classified against a closed catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pglast import ast, enums

from flatrender_schema.citus import hazard as citus_hazard
from flatrender_schema.plan_objects import relname

if TYPE_CHECKING:
    from flatrender_schema.step import Step


@dataclass(frozen=True, order=True)
class Hazard:
    code: str
    message: str


CATALOGUE: dict[str, str] = {
    "DELETES_DATA": "drops stored data (a table, a column, a sequence's state, or an enum value in use)",
    "TABLE_REWRITE": "rewrites the whole table under an ACCESS EXCLUSIVE lock (column type change)",
    "INDEX_BUILD": "builds an index on an existing table, blocking writes while it runs",
    "VALIDATION_SCAN": "validates a constraint by scanning an existing table",
    "NOT_NULL_SCAN": "SET NOT NULL scans an existing table under an ACCESS EXCLUSIVE lock",
    "DROPS_SCHEMA": "drops a schema",
    "LOSSY_TYPE_CHANGE": "changes a column to a type that cannot hold every old value (narrowing or lossy cast)",
    "TYPE_CHANGE_WITHOUT_CAST": (
        "changes a column's type where no cast exists, so the column is dropped and added again and its"
        " values are lost; to keep them, declare the conversion's USING expression (`conversions` in"
        " schema.yaml or service.yaml, or `-- @using schema.table.column: expression` in --desired SQL;"
        " see docs/manifests.md)"
    ),
    citus_hazard.CODE: citus_hazard.MESSAGE,
}

# Refused unless allowed by code (redistribution too: it rewrites all of a table's data).
DATA_LOSS = frozenset({
    "DELETES_DATA", "DROPS_SCHEMA", "LOSSY_TYPE_CHANGE", "TYPE_CHANGE_WITHOUT_CAST", citus_hazard.CODE,
})

# Type changes that keep every value (old -> new, as format_type writes them, typmods stripped).
_WIDENING = {
    ("smallint", "integer"), ("smallint", "bigint"), ("integer", "bigint"), ("smallint", "numeric"),
    ("integer", "numeric"), ("bigint", "numeric"), ("real", "double precision"), ("character varying", "text"),
    ("character", "text"), ("character", "character varying"), ("citext", "text"), ("text", "citext"),
    ("timestamp without time zone", "timestamp with time zone"), ("json", "jsonb"),
}


def _base_and_mods(type_name: str) -> tuple[str, list[int]]:
    base, _, mods = type_name.partition("(")
    numbers = [int(n) for n in mods.rstrip(")").split(",") if n.strip().isdigit()] if mods else []
    return base.strip().removesuffix("[]"), numbers


def rewrite_free(old: str, new: str) -> bool:
    """Type changes PostgreSQL makes without rewriting the table (binary-compatible widenings)."""
    (ob, _), (nb, _) = _base_and_mods(old), _base_and_mods(new)
    if old.endswith("[]") != new.endswith("[]") or is_lossy(old, new):
        return False
    if ob == nb:
        return ob in ("character varying", "numeric", "bit varying", "text")
    return (ob, nb) == ("character varying", "text")


def is_lossy(old: str, new: str) -> bool:
    """Whether changing a column from `old` to `new` can lose or reject existing values."""
    if old == new:
        return False
    if old.endswith("[]") != new.endswith("[]"):
        return True
    (ob, om), (nb, nm) = _base_and_mods(old), _base_and_mods(new)
    if ob == nb:
        if not nm:  # dropping a length/precision limit widens
            return False
        if not om:
            return True
        if ob == "numeric" and len(om) == 2 and len(nm) == 2:
            return nm[0] - nm[1] < om[0] - om[1] or nm[1] < om[1]
        return nm[0] < om[0]
    return (ob, nb) not in _WIDENING


def _h(code: str) -> Hazard:
    return Hazard(code, CATALOGUE[code])


_PG_NAMES = {
    "int2": "smallint", "int4": "integer", "int8": "bigint", "varchar": "character varying", "bpchar": "character",
    "float4": "real", "float8": "double precision", "timestamptz": "timestamp with time zone",
    "timestamp": "timestamp without time zone", "bool": "boolean", "timetz": "time with time zone",
    "time": "time without time zone",
}


def type_name(node: ast.TypeName) -> str:
    """A TypeName as format_type() would write it (enough to compare widths)."""
    names = [getattr(n, "sval", "") for n in node.names or ()]
    base = names[-1] if names else ""
    base = _PG_NAMES.get(base, base)
    mods = [str(m.val.ival) for m in node.typmods or () if isinstance(m, ast.A_Const) and hasattr(m.val, "ival")]
    out = f"{base}({','.join(mods)})" if mods else base
    return out + "[]" * len(node.arrayBounds or ())


def assess(
    step: Step, existing_tables: Iterable[str] = (), column_types: dict[tuple[str, str], str] | None = None
) -> tuple[Hazard, ...]:
    """Hazards of one planned statement, read from the tree it was parsed into.

    `existing_tables` are `schema.table` names present before the plan; `column_types` maps
    (`schema.table`, column) to its type before the plan, to tell a widening type change from a lossy one.
    """
    hazards = _hazards_of(step.trees, existing_tables, column_types)
    return hazards + tuple(_h(c) for c in citus_hazard.codes_of(step.sql))  # Citus: redistribution


def _hazards_of(
    stmts: Iterable[ast.Node], existing_tables: Iterable[str], column_types: dict[tuple[str, str], str] | None
) -> tuple[Hazard, ...]:
    existing = existing_tables if isinstance(existing_tables, set | frozenset) else set(existing_tables)
    types = column_types or {}
    found: set[Hazard] = set()
    for node in stmts:
        if isinstance(node, ast.DropStmt):
            kind = node.removeType
            if kind in (
                enums.ObjectType.OBJECT_TABLE,
                enums.ObjectType.OBJECT_MATVIEW,
                enums.ObjectType.OBJECT_SEQUENCE,
                enums.ObjectType.OBJECT_TYPE,
                enums.ObjectType.OBJECT_FOREIGN_TABLE,
            ):
                found.add(_h("DELETES_DATA"))
            elif kind == enums.ObjectType.OBJECT_SCHEMA:
                found.add(_h("DROPS_SCHEMA"))
        elif isinstance(node, ast.AlterTableStmt):
            table = relname(node.relation)
            on_existing = table in existing
            if _recreates_a_column(node):  # declared/type_changes.py: a type change with no cast
                found.add(_h("TYPE_CHANGE_WITHOUT_CAST"))
            for cmd in node.cmds or ():
                sub = cmd.subtype
                if sub == enums.AlterTableType.AT_DropColumn:
                    found.add(_h("DELETES_DATA"))
                elif sub == enums.AlterTableType.AT_AlterColumnType and on_existing:
                    old = types.get((table, cmd.name or ""))
                    col = cmd.def_
                    new = type_name(col.typeName) if isinstance(col, ast.ColumnDef) and col.typeName else None
                    if old and new and is_lossy(old, new):
                        found.add(_h("LOSSY_TYPE_CHANGE"))
                    if not (old and new and rewrite_free(old, new)):
                        found.add(_h("TABLE_REWRITE"))
                elif sub == enums.AlterTableType.AT_SetNotNull and on_existing:
                    found.add(_h("NOT_NULL_SCAN"))
                elif sub == enums.AlterTableType.AT_AddConstraint and on_existing:
                    con = cmd.def_
                    if isinstance(con, ast.Constraint):
                        if (
                            con.contype in (enums.ConstrType.CONSTR_FOREIGN, enums.ConstrType.CONSTR_CHECK)
                            and not con.skip_validation
                        ):
                            found.add(_h("VALIDATION_SCAN"))
                        elif (
                            con.contype in (enums.ConstrType.CONSTR_PRIMARY, enums.ConstrType.CONSTR_UNIQUE)
                            and not con.indexname
                        ):
                            found.add(_h("INDEX_BUILD"))
        elif isinstance(node, ast.IndexStmt):
            if relname(node.relation) in existing and not node.concurrent:
                found.add(_h("INDEX_BUILD"))
    return tuple(sorted(found))


def _recreates_a_column(node: ast.AlterTableStmt) -> bool:
    """DROP COLUMN c and ADD COLUMN c in one ALTER TABLE."""
    dropped = {c.name for c in node.cmds or () if c.subtype == enums.AlterTableType.AT_DropColumn}
    return any(
        c.subtype == enums.AlterTableType.AT_AddColumn and isinstance(c.def_, ast.ColumnDef)
        and c.def_.colname in dropped for c in node.cmds or ()
    )
