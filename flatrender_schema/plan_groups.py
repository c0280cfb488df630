"""A plan's steps grouped by object, as Terraform shows resources: each table, view, function, type,
schema and role once, with what happens to it and, beneath, what its statements do, summarised
(grants per role, comments on columns in one line); steps keep their plan order inside a group.

Grouping reads the steps' parse trees (parsed once, where each step was made or its plan file read),
so it works the same on a plan loaded from a plan file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pglast import ast, enums

from flatrender_schema.plan_objects import (
    StatementObject,
    grantees_text,
    name_of,
    object_of,
    relname,
)

if TYPE_CHECKING:
    from flatrender_schema.plan import Step

SYMBOLS = {"create": "+", "drop": "-", "replace": "-/+"}
# The order privileges are written in (as PostgreSQL lists them in GRANT's documentation).
_PRIVILEGE_ORDER = ("select", "insert", "update", "delete", "truncate", "references", "trigger", "usage",
                    "create", "connect", "temporary", "execute", "maintain", "all")
# Block kinds, database-wide first; within a schema, the schema itself first.
_DATABASE_WIDE = ("role", "extension", "statement")
_ROLE_KINDS = frozenset({"role"})
NAMES_SHOWN = 4  # names listed in one summary line before "and N more"


@dataclass(frozen=True)
class Item:
    """One line beneath an object: one statement, or several alike (grants of one role, comments...)."""

    symbol: str
    text: str
    steps: tuple[int, ...]  # indexes into plan.steps
    hazards: tuple[str, ...] = ()
    phase: str = "main"


@dataclass(frozen=True)
class Group:
    object: str
    kind: str
    action: str  # create / alter / drop / replace
    schema: str  # "" for database-wide objects (roles, extensions)
    steps: tuple[int, ...]
    items: tuple[Item, ...] = field(default=())

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.action, "~")

    @property
    def hazard_codes(self) -> tuple[str, ...]:
        return tuple(sorted({c for i in self.items for c in i.hazards}))

    @property
    def telling_items(self) -> tuple[Item, ...]:
        """The items worth a line: none when the title says it all (a role created, nothing else)."""
        if len(self.items) == 1 and self.items[0].text == f"create {self.kind}" and not self.items[0].hazards:
            return ()
        return self.items

    @property
    def title(self) -> str:
        return f"{self.symbol} {self.kind} {self.object}"

    def to_dict(self) -> dict[str, object]:
        return {
            "object": self.object, "kind": self.kind, "action": self.action, "schema": self.schema,
            "steps": list(self.steps), "hazards": list(self.hazard_codes),
            "items": [{"symbol": i.symbol, "text": i.text, "steps": list(i.steps), "hazards": list(i.hazards)}
                      for i in self.items],
        }


@dataclass(frozen=True)
class _Parsed:
    index: int
    step: Step
    obj: StatementObject
    node: ast.Node | None


def group_steps(steps: Sequence[Step]) -> tuple[Group, ...]:
    """Every step in exactly one group; groups sorted database-wide first, then by schema and name."""
    parsed = [_parse(i, s) for i, s in enumerate(steps)]
    owners = _owning_tables(parsed)
    partitions = {p.obj.name for p in parsed if p.obj.kind == "partition"}
    parsed = [_Parsed(p.index, p.step, _as_partition(p.obj), p.node) if p.obj.name in partitions else p
              for p in parsed]
    blocks: dict[tuple[str, str], list[_Parsed]] = {}
    kinds: dict[tuple[str, str], str] = {}
    for p in parsed:
        key, kind, own = _block_of(p.obj, owners)
        blocks.setdefault(key, []).append(p)
        if own or key not in kinds:
            kinds[key] = kinds[key] if key in kinds and not own else kind
    groups = [_group(key, kinds[key], members) for key, members in blocks.items()]
    return tuple(sorted(groups, key=_order))


def _as_partition(obj: StatementObject) -> StatementObject:
    """A partition's later statements (ALTER TABLE ... OWNER) name it as a table: it is a partition."""
    if obj.kind != "table":
        return obj
    return StatementObject("partition", obj.name, obj.block, obj.block_kind, obj.detail, obj.subject)


def _parse(index: int, step: Step) -> _Parsed:
    if not step.trees:
        return _Parsed(index, step, StatementObject("statement", step.object, detail=step.action), None)
    node = step.trees[0]
    return _Parsed(index, step, object_of(node), node)


def _owning_tables(parsed: list[_Parsed]) -> dict[str, str]:
    """Partitions -> their parent, and identity/serial sequences -> their table, from the plan's CREATE TABLEs
    (PostgreSQL names such a sequence table_column_seq), so their statements join the table's group."""
    owners: dict[str, str] = {}
    for p in parsed:
        if p.obj.kind == "partition":
            owners[p.obj.name] = p.obj.block
        if isinstance(p.node, ast.CreateStmt):
            table = relname(p.node.relation)
            schema, _, bare = table.partition(".")
            for col in p.node.tableElts or ():
                if isinstance(col, ast.ColumnDef) and _makes_sequence(col):
                    owners[f"{schema}.{bare}_{col.colname}_seq"] = owners.get(table, table)
    # A partition of a partition belongs to the top table.
    for name, parent in list(owners.items()):
        seen = {name}
        while parent in owners and parent not in seen:
            seen.add(parent)
            parent = owners[parent]
        owners[name] = parent
    return owners


def _makes_sequence(col: ast.ColumnDef) -> bool:
    names = [getattr(n, "sval", "") for n in (col.typeName.names if col.typeName else ())]
    if names and names[-1] in ("serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"):
        return True
    return any(isinstance(c, ast.Constraint) and c.contype == enums.ConstrType.CONSTR_IDENTITY
               for c in col.constraints or ())


def _namespace(kind: str) -> str:
    return kind if kind in ("role", "schema", "extension") else "object"


def _block_of(obj: StatementObject, owners: dict[str, str]) -> tuple[tuple[str, str], str, bool]:
    """(key, kind, whether the statement is about the block's object itself)."""
    name, kind, own = obj.block_name, obj.block_kind_or_kind, not obj.block
    if name in owners:
        name, kind, own = owners[name], "table", False
    if kind == "partition":
        kind = "table"
    return (_namespace(kind), name), kind, own


def _order(g: Group) -> tuple[int, str, int, str, str]:
    if not g.schema:
        return (0, "", _DATABASE_WIDE.index(g.kind) if g.kind in _DATABASE_WIDE else len(_DATABASE_WIDE),
                g.object, g.kind)
    return (1, g.schema, 0 if g.kind == "schema" else 1, g.object, g.kind)


def _schema_of(kind: str, name: str) -> str:
    if kind in ("role", "extension", "statement"):
        return ""
    if kind == "schema":
        return name
    return name.split(".", 1)[0] if "." in name else ""


def _group(key: tuple[str, str], kind: str, members: list[_Parsed]) -> Group:
    name = key[1]
    own = [p for p in members if p.obj.name == name or not p.obj.block]
    actions = {p.step.action for p in own if p.step.action in ("create", "drop")}
    action = "replace" if actions == {"create", "drop"} else (actions.pop() if actions else "alter")
    return Group(name, kind, action, _schema_of(kind, name), tuple(p.index for p in members),
                 tuple(_items(name, members)))


def _symbol(step: Step) -> str:
    return SYMBOLS.get(step.action, "~")


def _short(name: str, block: str) -> str:
    """A sub-object's name relative to its block: tenant_id for content.blog_posts.tenant_id."""
    if name.startswith(block + "."):
        return name[len(block) + 1:]
    return name.split(".", 1)[1] if name.count(".") == 1 else name


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")


def _items(block: str, members: list[_Parsed]) -> list[Item]:
    """Statements alike are one line: keyed by what they do; a statement with a hazard is always its own."""
    lines: dict[tuple[object, ...], list[_Parsed]] = {}
    for p in members:
        lines.setdefault(_item_key(block, p), []).append(p)
    return [_item(block, key, ps) for key, ps in lines.items()]


def _item_key(block: str, p: _Parsed) -> tuple[object, ...]:
    step, obj, node = p.step, p.obj, p.node
    if step.hazards:
        return ("single", p.index)
    sub = "" if obj.name == block else obj.kind
    target = "" if obj.name == block else _short(obj.name, block)
    if isinstance(node, ast.GrantStmt):
        return ("grant", node.is_grant, grantees_text(node), target, step.phase)
    if isinstance(node, ast.AlterDefaultPrivilegesStmt):
        return ("defaults", node.action.is_grant, grantees_text(node.action), step.phase)
    if isinstance(node, ast.CommentStmt):
        return ("comment", sub, step.phase)
    if sub and sub not in ("sequence",):
        return ("sub", _symbol(step), obj.detail, sub, step.phase)
    return ("own", _symbol(step), obj.detail, target, step.phase)


def _privileges(nodes: list[ast.GrantStmt]) -> str:
    privs = {name_of(pr) for n in nodes for pr in (n.privileges or ())} or {"all"}
    return ", ".join(sorted(privs, key=lambda x: (_PRIVILEGE_ORDER.index(x.split(" ")[0])
                                                  if x.split(" ")[0] in _PRIVILEGE_ORDER else 99, x)))


def _item(block: str, key: tuple[object, ...], ps: list[_Parsed]) -> Item:
    first = ps[0]
    steps = tuple(p.index for p in ps)
    hazards = tuple(sorted({c for p in ps for c in p.step.hazard_codes}))
    phase = first.step.phase
    kind = key[0]
    if kind == "grant":
        nodes = [p.node for p in ps if isinstance(p.node, ast.GrantStmt)]
        verb = "grant" if key[1] else "revoke"
        on = f" on {key[3]}" if key[3] else ""
        text = f"{verb} {key[2]}{on}: {_privileges(nodes)}"
    elif kind == "defaults":
        by_kind: dict[str, list[ast.GrantStmt]] = {}
        for p in ps:
            if isinstance(p.node, ast.AlterDefaultPrivilegesStmt):
                by_kind.setdefault(p.node.action.objtype.name.removeprefix("OBJECT_").lower() + "s", []).append(
                    p.node.action)
        verb = "default privileges for" if key[1] else "revoke default privileges from"
        text = f"{verb} {key[2]}: " + "; ".join(f"{_privileges(n)} on {k}" for k, n in by_kind.items())
    elif kind == "comment":
        sub = key[1]
        if not sub:
            text = first.obj.detail
        else:
            names = [_short(p.obj.name, block) for p in ps]
            text = f"comment on {sub}{'s' if len(names) > 1 else ''} {_names(names)}" if len(names) > 1 \
                else f"comment on {sub} {names[0]}"
    elif kind == "sub":
        names = [_short(p.obj.name, block) for p in ps]
        sub = str(key[3])
        if first.obj.detail.startswith(("create", "drop")):
            text = f"{first.obj.detail} {_names(names)}"
        elif len(names) == 1:
            text = f"{first.obj.label} on {sub} {names[0]}"
        else:
            text = f"{first.obj.detail} on {len(names)} {sub}s: {_names(names)}"
    else:
        subjects = [p.obj.subject for p in ps if p.obj.subject]
        target = f" {ps[0].obj.kind} {key[3]}" if kind == "own" and key[3] else ""
        detail = first.obj.detail or first.step.action
        text = f"{detail}{target} {_names(subjects)}".rstrip() if subjects else f"{detail}{target}"
    if len(ps) > 1:
        text = f"{text} ({len(ps)} statements)"
    return Item(_symbol(first.step), text, steps, hazards, phase)
