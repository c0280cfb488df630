"""Gap-layer statements on an index built after the transaction (CREATE INDEX CONCURRENTLY) run after it.

The online forms move an index build on an existing table out of the plan's transaction, to its end;
a gap statement naming that index (its comment, ALTER INDEX, CLUSTER ON, REPLICA IDENTITY USING INDEX)
would otherwise run in the transaction, before the index exists.
"""

from __future__ import annotations

from pglast import ast, enums
from pglast.visitors import Visitor

from flatrender_schema.step import Phase, Step


def after_index_builds(gap_changes: list[Step], engine_changes: list[Step]) -> list[Step]:
    """`gap_changes`, those naming an index the engine's changes build after the transaction in that phase too."""
    built = _built_after(engine_changes)
    if not built:
        return gap_changes
    bare = {name for _, name in built}
    out = []
    for change in gap_changes:
        if change.phase == Phase.MAIN and any(n in change.sql for n in bare) and _names_any(change, built, bare):
            change = change.moved(Phase.POST)
        out.append(change)
    return out


def _built_after(changes: list[Step]) -> set[tuple[str, str]]:
    return {index for change in changes if change.phase == Phase.POST and (index := change.concurrent_index)}


def _names_any(step: Step, indexes: set[tuple[str, str]], bare: set[str]) -> bool:
    """True when `step` names one of `indexes`; an unqualified name matches an index of any schema
    (`bare`: their names)."""
    names: set[tuple[str | None, str]] = set()
    for node in step.trees:
        _IndexNames(names)(node)
    return any((schema, name) in indexes if schema else name in bare for schema, name in names)


class _IndexNames(Visitor):  # type: ignore[misc]
    """Every name in a statement that may be an index's: (schema or None, name)."""

    def __init__(self, out: set[tuple[str | None, str]]) -> None:
        super().__init__()
        self.out = out

    def visit_CommentStmt(self, _ancestors: object, node: ast.CommentStmt) -> None:
        if node.objtype == enums.ObjectType.OBJECT_INDEX and node.object:
            self._qualified([s.sval for s in node.object])

    def visit_RangeVar(self, _ancestors: object, node: ast.RangeVar) -> None:
        self.out.add((node.schemaname, node.relname))

    def visit_AlterTableCmd(self, _ancestors: object, node: ast.AlterTableCmd) -> None:
        if node.name:  # CLUSTER ON <index>
            self.out.add((None, node.name))

    def visit_ReplicaIdentityStmt(self, _ancestors: object, node: ast.ReplicaIdentityStmt) -> None:
        if node.name:
            self.out.add((None, node.name))

    def _qualified(self, parts: list[str]) -> None:
        self.out.add((parts[-2] if len(parts) > 1 else None, parts[-1]))
