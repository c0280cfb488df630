"""SQL to pglast's AST, built from libpg_query's JSON: the same tree as `pglast.parser.parse_sql`, faster.

`parse_sql` builds every node through `pglast.ast.Node.__setattr__`, which checks each value in
Python; on a 2,000-table tree that is most of the lint's time. libpg_query's own JSON of the same
parse costs a few milliseconds, and `json.loads` hands each object to a hook bottom-up, so the nodes
are made here with the slots set directly, from the types pglast declares for them (its
`__slots__`): what the JSON leaves out (false, zero, null) gets the value `parse_sql` gives,
enums come by name, byte offsets become character offsets as pglast's `Displacements` makes them.
Anything this does not know (a key pglast has no slot for, a type it cannot place) raises
`Unsupported`, and `parse_sql` falls back to pglast for that text: never a different tree.
`tests/lint/test_parsing.py` compares both, type for type, over every SQL file of the repository.
"""

from __future__ import annotations

import json
import keyword
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from typing import Any

from pglast import ast, enums, parser

_set = object.__setattr__
_consume = deque(maxlen=0).extend  # runs an iterator to its end, in C
_INTS = {"AclMode", "AttrNumber", "Index", "RelFileNumber", "SubTransactionId", "bits32", "int", "int16",
         "int32", "long", "uint32", "uint64"}
# A_Const's value union, written as {"ival": {...}} with the Value node's fields inside.
_VALUES = {"ival": ast.Integer, "fval": ast.Float, "boolval": ast.Boolean, "sval": ast.String,
           "bsval": ast.BitString}


class Unsupported(Exception):
    """The JSON holds something this builder cannot make exactly as pglast would."""


def _node_classes() -> dict[str, type[ast.Node]]:
    return {name: cls for name, cls in vars(ast).items()
            if isinstance(cls, type) and issubclass(cls, ast.Node) and isinstance(cls.__slots__, dict)}


_CLASSES = _node_classes()


def _json_name(slot: str) -> str:
    """pglast appends `_` to a field named as a Python keyword (`DefElem.def_`); the JSON does not."""
    return slot[:-1] if slot.endswith("_") and keyword.iskeyword(slot[:-1]) else slot


_LIST, _LOC, _ENUM, _STRUCT, _OTHER = range(5)


@dataclass(frozen=True)
class _Shape:
    """How a class's JSON object becomes its node: every slot is first set from its key, or to its
    default (what `parse_sql` gives for a false, zero or null the JSON leaves out), then the keys
    present that need converting are converted (`special`: key -> (kind, slot, argument))."""

    names: frozenset[str]  # the JSON keys it may have
    slots: tuple[str, ...]
    keys: tuple[str, ...]
    defaults: tuple[Any, ...]
    special: dict[str, tuple[int, str, Any]]
    required: frozenset[str]  # enums without a zero member: pglast fails when they are left out


@cache
def _shape(cls: type[ast.Node]) -> _Shape:
    slots, keys, defaults = [], [], []
    special: dict[str, tuple[int, str, Any]] = {}
    required = set()
    for slot, info in cls.__slots__.items():  # type: ignore[attr-defined]
        ctype, key, default = info.c_type, _json_name(slot), None
        if ctype == "ParseLoc":
            special[key] = (_LOC, slot, None)
            default = 0  # offset 0 is character 0 in any text
        elif ctype == "bool":
            default = False
        elif ctype == "char":
            default = "\x00"
        elif ctype in _INTS:
            default = 0
        elif ctype == "List*":
            special[key] = (_LIST, slot, None)
        elif ctype in ("char*", "Node*", "Expr*"):
            pass
        elif ctype.endswith("*") and ctype[:-1] in _CLASSES:
            special[key] = (_STRUCT, slot, _CLASSES[ctype[:-1]])
        elif ctype in _CLASSES:  # an embedded struct (CreateForeignTableStmt.base)
            special[key] = (_STRUCT, slot, _CLASSES[ctype])
        elif isinstance(getattr(enums, ctype, None), type):
            enum = getattr(enums, ctype)
            special[key] = (_ENUM, slot, enum._member_map_)
            default = enum._value2member_map_.get(0)
            if default is None:
                required.add(key)
        else:  # Bitmapset*, Cardinality, Cost; ValUnion (A_Const, made apart) and JsonTablePlan
            special[key] = (_OTHER, slot, ctype)
            default = 0.0 if ctype in ("Cardinality", "Cost") else None
        slots.append(slot)
        keys.append(key)
        defaults.append(default)
    return _Shape(frozenset(keys), tuple(slots), tuple(keys), tuple(defaults), special, frozenset(required))


class _Decoder:
    """One text's JSON to nodes; `locate` maps a byte offset to a character offset as pglast does."""

    def __init__(self, locate: Callable[[int], int | None]) -> None:
        self.locate = locate

    def hook(self, d: dict[str, Any]) -> Any:
        if not d:
            return None  # a NULL list item; as a node's fields, the wrapper below takes it as empty
        if len(d) == 1:
            ((key, value),) = d.items()
            if value is None or type(value) is dict:
                cls = _CLASSES.get(key)
                if cls is not None:
                    if cls is ast.A_Const:
                        return self.a_const(value or {})
                    return self.build(cls, value or {})
                if key == "List":
                    items = (value or {}).get("items")
                    return tuple(items) if items is not None else ()
        return d

    def build(self, cls: type[ast.Node], fields: dict[str, Any]) -> ast.Node:
        shape = _shape(cls)
        present = fields.keys()
        if not present <= shape.names or not shape.required <= present:
            raise Unsupported(f"{cls.__name__}: {sorted(present ^ shape.names)}")
        node = cls.__new__(cls)
        _consume(map(_set, repeat(node), shape.slots, map(fields.get, shape.keys, shape.defaults)))
        special = shape.special
        for key in present & special.keys():
            kind, slot, arg = special[key]
            value = fields[key]
            if kind == _LOC:
                _set(node, slot, self.locate(value))
            elif kind == _LIST:
                _set(node, slot, tuple(value) if value is not None else None)
            elif kind == _ENUM:
                member = arg.get(value)
                if member is None:
                    raise Unsupported(f"{cls.__name__}.{slot} = {value!r}")
                _set(node, slot, member)
            elif kind == _STRUCT:
                if value is None:
                    _set(node, slot, self.build(arg, {}))  # written as {}: every field at its default
                elif type(value) is dict:
                    _set(node, slot, self.build(arg, value))
                elif not isinstance(value, arg):
                    raise Unsupported(f"{cls.__name__}.{slot}: {type(value).__name__}")
            elif arg == "Bitmapset*":
                _set(node, slot, set(value) if value is not None else None)
            elif arg in ("Cardinality", "Cost"):
                _set(node, slot, float(value or 0))
            elif value is not None:
                raise Unsupported(f"{cls.__name__}.{slot}: {arg}")
        return node

    def a_const(self, fields: dict[str, Any]) -> ast.Node:
        node = ast.A_Const.__new__(ast.A_Const)
        isnull = bool(fields.get("isnull", False))
        value = None
        if not isnull:
            kinds = [k for k in fields if k in _VALUES]
            if len(kinds) != 1:
                raise Unsupported(f"A_Const: {sorted(fields)}")
            inner = fields[kinds[0]]
            value = self.build(_VALUES[kinds[0]], inner if type(inner) is dict else {})
        _set(node, "isnull", isnull)
        _set(node, "val", value)
        if "location" in ast.A_Const.__slots__:  # type: ignore[operator]
            _set(node, "location", self.locate(fields.get("location", 0)))
        return node

    def statements(self, text: str) -> tuple[ast.RawStmt, ...]:
        tree = json.loads(parser.parse_sql_json(text), object_hook=self.hook)
        locate = self.locate
        out = []
        for item in tree.get("stmts", ()):
            if not item.keys() <= {"stmt", "stmt_location", "stmt_len"}:
                raise Unsupported(f"RawStmt: {sorted(item)}")
            raw = ast.RawStmt.__new__(ast.RawStmt)
            start, length = item.get("stmt_location", 0), item.get("stmt_len", 0)
            _set(raw, "stmt", item.get("stmt"))
            first, end = locate(start), locate(start + length)
            if first is None or end is None:
                raise Unsupported(f"statement at byte {start}, length {length}")  # pglast would fail on it
            _set(raw, "stmt_location", first)
            _set(raw, "stmt_len", end - first)
            out.append(raw)
        return tuple(out)


def _ascii_offsets(size: int) -> Callable[[int], int | None]:
    """pglast's `Displacements` for a text of one byte per character: the offset, None outside the text."""
    def locate(offset: int) -> int | None:
        return offset if 0 <= offset < size else None
    return locate


def decode(text: str) -> tuple[ast.RawStmt, ...]:
    """The statements of `text` built from the JSON; raises `Unsupported`, or `parser.ParseError`."""
    locate = _ascii_offsets(len(text)) if text.isascii() else parser.Displacements(text)
    return _Decoder(locate).statements(text)


def parse_sql(text: str) -> tuple[ast.RawStmt, ...]:
    """What `pglast.parser.parse_sql(text)` returns (and raises: `parser.ParseError`)."""
    try:
        return decode(text)
    except Unsupported:
        return parser.parse_sql(text)
