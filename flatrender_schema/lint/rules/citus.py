"""CT1xx: what Citus refuses, checked offline when schema.yaml enables Citus (`citus: enabled: true`).

Each table's placement is the declared one (flatrender_schema/citus/declared.py: the default from
tenant_id and tenant_exempt, with the services' overrides), derived from the same walk's catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pglast import ast
from pglast.enums import AlterTableType, ConstrType

from flatrender_schema.errors import Location
from flatrender_schema.lint.catalog import Ref
from flatrender_schema.lint.finding import Severity
from flatrender_schema.lint.registry import rule
from flatrender_schema.lint.walk import Check, Site

if TYPE_CHECKING:
    from flatrender_schema.citus.declared import Declared


@dataclass(frozen=True)
class _Key:
    """A key (primary, unique or exclusion) of a table, as the CT rules read it."""

    table: Ref
    columns: tuple[str, ...]
    kind: str  # "primary key", "unique constraint", "unique index", "exclusion constraint"
    location: Location


@dataclass(frozen=True)
class _ForeignKey:
    """A foreign key with its actions, as the CT rules read it."""

    table: Ref
    columns: tuple[str, ...]
    target: Ref
    target_columns: tuple[str, ...]
    on_delete: str
    on_update: str
    location: Location


def _names(nodes: tuple[ast.Node, ...] | None) -> tuple[str, ...]:
    return tuple(n.sval for n in nodes or () if isinstance(n, ast.String))


class _CitusFacts:
    """The keys, foreign keys with their actions and column type changes the CT rules look at: one
    visitor for all of them, in the walk only when Citus is enabled."""

    def __init__(self) -> None:
        self.keys: list[_Key] = []
        self.fks: list[_ForeignKey] = []
        self.type_changes: list[tuple[Ref, str, Location]] = []
        self.declared: tuple[Declared | None] | None = None  # placed once, after the walk

    def visit_Constraint(self, node: ast.Constraint, site: Site) -> None:
        owner = site.parents[-1] if site.parents else None
        column = owner.colname if isinstance(owner, ast.ColumnDef) else None
        holder = site.nearest(ast.CreateStmt) or site.nearest(ast.AlterTableStmt)
        if not isinstance(holder, (ast.CreateStmt, ast.AlterTableStmt)) or holder.relation is None:
            return
        ref = Ref.of(holder.relation, site)
        kinds = {ConstrType.CONSTR_PRIMARY: "primary key", ConstrType.CONSTR_UNIQUE: "unique constraint",
                 ConstrType.CONSTR_EXCLUSION: "exclusion constraint"}
        if node.contype in kinds:
            if node.contype == ConstrType.CONSTR_EXCLUSION:
                keys = tuple(e[0].name for e in node.exclusions or () if isinstance(e[0], ast.IndexElem) and e[0].name)
            else:
                keys = _names(node.keys) or ((column,) if column else ())
            self.keys.append(_Key(ref, keys, kinds[node.contype], site.location(node)))
        elif node.contype == ConstrType.CONSTR_FOREIGN and node.pktable is not None:
            columns = _names(node.fk_attrs) or ((column,) if column else ())
            self.fks.append(_ForeignKey(ref, columns, Ref.of(node.pktable, site), _names(node.pk_attrs),
                                        node.fk_del_action or "a", node.fk_upd_action or "a", site.location(node)))

    def visit_IndexStmt(self, node: ast.IndexStmt, site: Site) -> None:
        if node.unique and node.relation is not None:
            columns = tuple(p.name for p in node.indexParams or () if isinstance(p, ast.IndexElem) and p.name)
            self.keys.append(_Key(Ref.of(node.relation, site), columns, "unique index", site.location()))

    def visit_AlterTableCmd(self, node: ast.AlterTableCmd, site: Site) -> None:
        stmt = site.nearest(ast.AlterTableStmt)
        if node.subtype == AlterTableType.AT_AlterColumnType and isinstance(stmt, ast.AlterTableStmt) \
                and stmt.relation is not None and node.name:
            self.type_changes.append((Ref.of(stmt.relation, site), node.name, site.location(node)))


class _CitusCheck(Check):
    """Reads the shared `_CitusFacts`; `declared()` places the tables."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        facts = self.catalog.shared.get("citus")
        if not isinstance(facts, _CitusFacts):
            facts = self.catalog.shared["citus"] = _CitusFacts()
        self.facts = facts

    @property
    def enabled(self) -> bool:
        return self.source.project is not None and self.source.project.citus.enabled

    def visitors(self) -> tuple[object, ...]:
        return (self.facts,) if self.enabled else ()

    @property
    def keys(self) -> list[_Key]:
        return self.facts.keys

    @property
    def fks(self) -> list[_ForeignKey]:
        return self.facts.fks

    @property
    def type_changes(self) -> list[tuple[Ref, str, Location]]:
        return self.facts.type_changes

    def declared(self) -> Declared | None:
        if self.facts.declared is None:
            self.facts.declared = (self._declare(),)
        return self.facts.declared[0]

    def _declare(self) -> Declared | None:
        project = self.source.project
        if project is None or not project.citus.enabled:
            return None
        # here: a schema without Citus (most) does not import the placement at lint's start
        from flatrender_schema.citus.declared import ServiceFacts, derive
        from flatrender_schema.citus.tables import ForeignKeyFact, TableFact

        facts: dict[tuple[str, str], TableFact] = {}
        for table in self.catalog.tables.values():
            if table.name[0] is None or table.temporary:
                continue
            name = (table.name[0], table.name[1])
            parent = table.partition_of
            facts[name] = TableFact(
                name, {c: ".".join(col.type_names) for c, col in table.columns.items()},
                (parent[0], parent[1]) if parent and parent[0] else None, table.partition_strategy is not None)
        for fk in self.catalog.foreign_keys:
            if fk.table in facts and fk.target[0] is not None:
                facts[fk.table].foreign_keys.append(  # type: ignore[index]
                    ForeignKeyFact(fk.columns, (fk.target[0], fk.target[1]), fk.target_columns))
        services = [ServiceFacts(s.schema, frozenset(s.manifest.tenant_exempt), s.manifest.citus)
                    for s in self.source.services]
        return derive(project.citus, services, facts)

    def placement(self, declared: Declared, ref: Ref) -> tuple[str, str, str | None]:
        """(qualified name, kind, distribution column) of the table `ref` names; partitions as their parent."""
        schema, name = self.catalog.resolve(ref)
        table = self.catalog.tables.get((schema, name))
        if table is not None and table.partition_of is not None and table.partition_of[0] is not None:
            schema, name = table.partition_of
        p = declared.of((str(schema), name))
        return f"{schema}.{name}", (p.kind if p else "local"), (p.column if p else None)


@rule("CT101", "citus-unique-key", Severity.ERROR,
      "a primary key, unique constraint, unique index or exclusion constraint of a distributed table "
      "must include its distribution column")
class UniqueKeyHasDistributionColumn(_CitusCheck):
    """Citus enforces uniqueness shard by shard: a key that does not include the distribution column
    (`tenant_id`) could hold the same value in two shards, so Citus refuses to distribute the
    table (`cannot create constraint on "…": Distributed relations cannot have UNIQUE, EXCLUDE, or
    PRIMARY KEY constraints that do not include the partition column`). Put the distribution column
    first in the key (`PRIMARY KEY (tenant_id, id)`), or place the table otherwise in the service's
    `citus:` (a `reference:` table keeps any key)."""

    def finish(self) -> None:
        declared = self.declared()
        if declared is None:
            return
        for key in self.keys:
            name, kind, column = self.placement(declared, key.table)
            if kind == "distributed" and column not in key.columns:
                self.report(key.location, f"the {key.kind} ({', '.join(key.columns) or 'expression'}) of distributed "
                            f"table {name} does not include its distribution column {column}; "
                            f"write ({', '.join((column or '', *key.columns))})")


@rule("CT102", "citus-distributed-foreign-key", Severity.ERROR,
      "a foreign key between distributed tables must join their distribution columns")
class DistributedForeignKey(_CitusCheck):
    """Between two distributed tables, Citus checks a foreign key within one shard: its columns must
    include the referencing table's distribution column, referencing the referenced table's
    distribution column at the same position (`FOREIGN KEY (tenant_id, user_id) REFERENCES
    identity.users (tenant_id, id)`), and both tables must be co-located (every distributed table
    is in one group here). A foreign key from a distributed table to a table that stays local on
    the coordinator is refused too: reference the table from a reference table, or distribute it."""

    def finish(self) -> None:
        declared = self.declared()
        if declared is None:
            return
        for fk in self.fks:
            name, kind, column = self.placement(declared, fk.table)
            if kind != "distributed":
                continue
            target, target_kind, target_column = self.placement(declared, fk.target)
            if target_kind == "local":
                self.report(fk.location, f"distributed table {name} references {target}, which stays local on "
                            "the coordinator; make it a reference table or distribute it (service.yaml citus:)")
            elif target_kind == "distributed":
                pairs = list(zip(fk.columns, fk.target_columns or (), strict=False))
                if not fk.target_columns and column in fk.columns:
                    continue  # references the target's primary key: CT101 checks that it holds the column
                if (column, target_column) not in pairs:
                    self.report(fk.location, f"foreign key of distributed table {name} to {target} does not join "
                                f"{name}.{column} to {target}.{target_column}; add them to both column lists")


@rule("CT103", "citus-reference-foreign-key", Severity.ERROR,
      "a reference table may reference only reference tables")
class ReferenceForeignKey(_CitusCheck):
    """A reference table has a full copy on every node; a foreign key from it to a distributed table
    (whose rows are spread over the nodes) or to a local table (only on the coordinator) cannot be
    checked on each copy, and Citus refuses it. Reverse the reference, or place the referenced
    table as a reference table too."""

    def finish(self) -> None:
        declared = self.declared()
        if declared is None:
            return
        for fk in self.fks:
            name, kind, _ = self.placement(declared, fk.table)
            target, target_kind, _ = self.placement(declared, fk.target)
            if kind == "reference" and target_kind != "reference":
                self.report(fk.location, f"reference table {name} references {target_kind} table {target}; "
                            "Citus allows foreign keys from reference tables to reference tables only")


@rule("CT104", "citus-distribution-column", Severity.ERROR,
      "a distributed table has its distribution column, and the SQL never changes that column's type")
class DistributionColumn(_CitusCheck):
    """The column a table is distributed by must exist (`distributed: {table: column}` in service.yaml,
    else the project's `distribution_column`); Citus also refuses `ALTER TABLE … ALTER COLUMN …
    TYPE` on a distribution column (`cannot execute ALTER TABLE command involving partition
    column`): changing it means redistributing, which a plan does with `alter_distributed_table`."""

    def finish(self) -> None:
        declared = self.declared()
        if declared is None:
            return
        for p in declared.distributed:
            table = self.catalog.tables.get(p.table)
            if table is not None and p.column not in table.columns:
                self.report(table.location, f"{p.qualified} is distributed by {p.column}, which it does not have")
        for ref, column, location in self.type_changes:
            name, kind, dist = self.placement(declared, ref)
            if kind == "distributed" and column == dist:
                self.report(location, f"changes the type of {name}.{column}, its distribution column; "
                            "Citus refuses it")


@rule("CT105", "citus-foreign-key-action", Severity.ERROR,
      "a foreign key including the distribution column cannot SET NULL / SET DEFAULT on delete or "
      "SET NULL / SET DEFAULT / CASCADE on update")
class ForeignKeyAction(_CitusCheck):
    """Those actions would change a row's distribution column, i.e. move it to another shard, which
    Citus refuses (`SET NULL or SET DEFAULT is not supported in ON DELETE operation when
    distribution key is included in the foreign key constraint`). Use NO ACTION, RESTRICT or
    CASCADE on delete; on update, NO ACTION or RESTRICT."""

    def finish(self) -> None:
        declared = self.declared()
        if declared is None:
            return
        for fk in self.fks:
            name, kind, column = self.placement(declared, fk.table)
            if kind != "distributed" or column not in fk.columns:
                continue
            _, target_kind, _ = self.placement(declared, fk.target)
            if target_kind != "distributed":
                continue
            if fk.on_delete in ("n", "d") or fk.on_update in ("n", "d", "c"):
                self.report(fk.location, f"foreign key of {name} includes its distribution column {column}: "
                            "ON DELETE SET NULL/SET DEFAULT and ON UPDATE SET NULL/SET DEFAULT/CASCADE are refused")


@rule("CT106", "citus-partitioned-reference", Severity.ERROR,
      "a partitioned table cannot be a reference table")
class PartitionedReference(_CitusCheck):
    """Citus distributes partitioned tables only by hash (`distributing partitioned tables in only
    supported for hash-distributed tables`). A tenant-exempt partitioned table therefore stays
    local by default; this flags a `reference:` override of one."""

    def finish(self) -> None:
        declared = self.declared()
        if declared is None:
            return
        for p in declared.reference:
            table = self.catalog.tables.get(p.table)
            if table is not None and table.partition_strategy is not None:
                self.report(table.location, f"{p.qualified} is partitioned and cannot be a reference table")


@rule("CT107", "citus-stale-placement", Severity.ERROR,
      "a table named under `citus:` in service.yaml exists in the service's SQL")
class StalePlacement(_CitusCheck):
    """A `reference:`, `distributed:` or `local:` entry for a table no SQL file creates (a typo or a
    dropped table) would silently place a future table of that name."""

    def finish(self) -> None:
        if not self.enabled:
            return
        for service in self.source.services:
            o = service.manifest.citus
            entries = [("reference", i, t) for i, t in enumerate(o.reference)]
            entries += [("local", i, t) for i, t in enumerate(o.local)]
            entries += [("distributed", t, t) for t in o.distributed]
            for key, index, table in entries:
                if (service.schema, table) not in self.catalog.tables:
                    self.report(service.manifest_location("citus", key, index),
                                f"citus {key} names {service.schema}.{table}, which no SQL file creates")
