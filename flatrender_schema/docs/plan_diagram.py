"""A Mermaid diagram of the tables a plan touches, for the plan's Markdown (a pull-request comment).

Read from the plan's own statements (pglast): tables created, altered (columns, constraints, indexes,
comments, triggers, policies) and dropped, marked differently, with the foreign keys the plan adds.
It stays small: past `budget` characters, the first tables are drawn and the rest counted.
"""

from __future__ import annotations

from collections.abc import Iterable

from pglast import ast, enums

from flatrender_schema.docs.mermaid import Style, er_diagram
from flatrender_schema.docs.model import Reference, Table, TableKey
from flatrender_schema.plan import Plan

BUDGET = 12_000  # characters: a small part of GitHub's 65,536 per comment
STATES = (
    ("added", "fill:#dafbe1,stroke:#1a7f37", " (added)"),
    ("changed", "fill:#fff8c5,stroke:#9a6700", " (changed)"),
    ("dropped", "fill:#ffebe9,stroke:#cf222e", " (dropped)"),
)


def _key(rv: ast.RangeVar) -> TableKey:
    return (rv.schemaname or "public", rv.relname)


def _foreign_keys(source: TableKey, constraints: Iterable[ast.Node], column: str | None = None) -> list[Reference]:
    out = []
    for c in constraints:
        if isinstance(c, ast.Constraint) and c.contype == enums.ConstrType.CONSTR_FOREIGN and c.pktable:
            cols = tuple(a.sval for a in c.fk_attrs or ()) or ((column,) if column else ())
            targets = tuple(a.sval for a in c.pk_attrs or ())
            out.append(Reference("fk", source, cols, _key(c.pktable), targets, c.conname or "", "", True, False,
                                 _key(c.pktable)[0] != source[0]))
    return out


def touched(plan: Plan) -> tuple[dict[TableKey, str], list[Reference]]:
    """Each touched table's state (added, changed, dropped) and the foreign keys the plan adds."""
    state: dict[TableKey, str] = {}
    refs: list[Reference] = []

    def mark(key: TableKey, what: str) -> None:
        rank = {"changed": 0, "dropped": 1, "added": 2}  # a table created in this plan is "added", whatever else
        if key not in state or rank[what] > rank[state[key]]:
            state[key] = what

    for step in plan.steps:
        for node in step.trees:
            if isinstance(node, ast.CreateStmt) and node.relation is not None:
                key = _key(node.relation)
                if node.partbound is not None and node.inhRelations:
                    mark(_key(node.inhRelations[0]), "changed")  # a new partition changes its table
                    continue
                mark(key, "added")
                for element in node.tableElts or ():
                    if isinstance(element, ast.ColumnDef):
                        refs += _foreign_keys(key, element.constraints or (), element.colname)
                    else:
                        refs += _foreign_keys(key, [element])
            elif isinstance(node, ast.AlterTableStmt) and node.objtype == enums.ObjectType.OBJECT_TABLE:
                key = _key(node.relation)
                mark(key, "changed")
                for cmd in node.cmds or ():
                    if isinstance(cmd, ast.AlterTableCmd) and isinstance(cmd.def_, ast.Constraint):
                        refs += _foreign_keys(key, [cmd.def_])
                    if isinstance(cmd, ast.AlterTableCmd) and isinstance(cmd.def_, ast.ColumnDef):
                        refs += _foreign_keys(key, cmd.def_.constraints or (), cmd.def_.colname)
            elif isinstance(node, ast.DropStmt) and node.removeType == enums.ObjectType.OBJECT_TABLE:
                for obj in node.objects or ():
                    names = [p.sval for p in obj]
                    mark((names[-2] if len(names) > 1 else "public", names[-1]), "dropped")
            elif isinstance(node, ast.IndexStmt | ast.CreateTrigStmt | ast.CreatePolicyStmt | ast.RenameStmt):
                rv = getattr(node, "relation", None) or getattr(node, "table", None)  # a policy's is `table`
                if isinstance(rv, ast.RangeVar):
                    mark(_key(rv), "changed")
            elif isinstance(node, ast.CommentStmt) and node.objtype in (enums.ObjectType.OBJECT_TABLE,
                                                                        enums.ObjectType.OBJECT_COLUMN):
                names = [p.sval for p in node.object]
                if node.objtype == enums.ObjectType.OBJECT_COLUMN:
                    names = names[:-1]
                mark((names[-2] if len(names) > 1 else "public", names[-1]), "changed")
    return state, refs


def _bare(key: TableKey) -> Table:
    return Table(key[0], key[1], "r", None, (), (), (), (), (), (), False, None, (), None, None)


def touched_diagram(plan: Plan, budget: int = BUDGET) -> tuple[str, int, dict[str, int]] | None:
    """(Mermaid source, tables left out, count per state), or None when the plan touches no table."""
    state, refs = touched(plan)
    if not state:
        return None
    order = {name: n for n, (name, _, _) in enumerate(STATES)}
    keys = sorted(state, key=lambda k: (order[state[k]], k))
    counts = {name: sum(1 for v in state.values() if v == name) for name, _, _ in STATES}
    shown = len(keys)
    while True:
        chosen = set(keys[:shown])
        styles = [Style(name, css, frozenset(k for k in chosen if state[k] == name), suffix)
                  for name, css, suffix in STATES]
        diagram = er_diagram([_bare(k) for k in keys[:shown]], [r for r in refs if r.source in chosen],
                             detail="names", styles=styles)
        if len(diagram) <= budget or shown <= 1:
            return diagram, len(keys) - shown, counts
        shown = max(1, shown * budget // len(diagram) - 1)


def touched_tables_markdown(plan: Plan, budget: int = BUDGET) -> list[str]:
    """Markdown lines for the plan comment: the diagram and what it shows; [] when no table is touched."""
    found = touched_diagram(plan, budget)
    if found is None:
        return []
    diagram, left_out, counts = found
    summary = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
    more = f"; {left_out} more not drawn, to keep the comment small" if left_out else ""
    return ["#### Tables this plan touches", "", "```mermaid", diagram.rstrip("\n"), "```", "",
            f"_{summary}{more}._", ""]
