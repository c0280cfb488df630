"""SQL to pglast's AST, built from libpg_query's JSON: the same tree as `pglast.parser.parse_sql`, faster.

`parse_sql` builds every node through `pglast.ast.Node.__setattr__`, which checks each value in
Python; on a 2,000-table tree that is most of the lint's time. libpg_query's own JSON of the same
parse costs a few milliseconds; `json.loads` reads it, and the nodes are made from it top down with
the slots set directly, from the types pglast declares for them (its `__slots__`): what the JSON
leaves out (false, zero, null) gets the value `parse_sql` gives, enums come by name, byte offsets
become character offsets as pglast's `Displacements` makes them. Each node is made as its class's
twin (the same slots, without the checking `__setattr__`) and then given its class; a class met
often gets a builder compiled for its slots. Slots the caller names in `skip` stay None, their
subtrees never built (lint skips the expressions its walk never enters).
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


@dataclass(frozen=True)
class _Shape:
    """How a class's JSON object becomes its node: every slot is first set from its key, or to its
    default (what `parse_sql` gives for a false, zero or null the JSON leaves out), then the keys
    present that need converting are converted (`special`: key -> (slot, kind, argument))."""

    names: frozenset[str]  # the JSON keys it may have
    slots: tuple[str, ...]
    keys: tuple[str, ...]
    defaults: tuple[Any, ...]
    special: dict[str, tuple[str, str, Any]]
    required: frozenset[str]  # enums without a zero member: pglast fails when they are left out


@cache
def _shape(cls: type[ast.Node]) -> _Shape:
    slots, keys, defaults = [], [], []
    special: dict[str, tuple[str, str, Any]] = {}
    required = set()
    for slot, info in cls.__slots__.items():  # type: ignore[attr-defined]
        ctype, key, default = info.c_type, _json_name(slot), None
        if ctype == "ParseLoc":
            special[key] = (slot, "loc", None)
            default = 0  # offset 0 is character 0 in any text
        elif ctype == "bool":
            default = False
        elif ctype == "char":
            default = "\x00"
        elif ctype in _INTS:
            default = 0
        elif ctype == "List*":
            special[key] = (slot, "list", None)
        elif ctype in ("Node*", "Expr*"):
            special[key] = (slot, "node", None)
        elif ctype == "char*":
            pass
        elif ctype.endswith("*") and ctype[:-1] in _CLASSES:
            special[key] = (slot, "struct", _CLASSES[ctype[:-1]])
        elif ctype in _CLASSES:  # an embedded struct (CreateForeignTableStmt.base)
            special[key] = (slot, "struct", _CLASSES[ctype])
        elif isinstance(getattr(enums, ctype, None), type):
            enum = getattr(enums, ctype)
            special[key] = (slot, "enum", enum._member_map_)
            default = enum._value2member_map_.get(0)
            if default is None:
                required.add(key)
        else:  # Bitmapset*, Cardinality, Cost; ValUnion (A_Const, made apart) and JsonTablePlan
            special[key] = (slot, ctype, None)
            default = 0.0 if ctype in ("Cardinality", "Cost") else None
        slots.append(slot)
        keys.append(key)
        defaults.append(default)
    return _Shape(frozenset(keys), tuple(slots), tuple(keys), tuple(defaults), special, frozenset(required))


@cache
def _twin(cls: type[ast.Node]) -> type[ast.Node]:
    """A class of the same layout as `cls` (the same slots, the same `__slots__` object, so that
    `__class__` may be assigned cheaply) whose slots are set without `Node.__setattr__`'s checks
    in Python: a node is made as its twin, filled, then given its class."""
    return type(cls.__name__, (cls.__mro__[1],), {"__slots__": cls.__slots__, "__setattr__": object.__setattr__,
                                                  "__module__": __name__})


Locate = Callable[[int], "int | None"]
Node = Callable[[Any], Any]  # one text's node maker: a `{"ClassName": {fields}}` object to its node
Convert = Callable[[Any, Locate, Node], Any]
Build = Callable[[Any, Locate, Node], Any]


def _node(value: Any, _locate: Locate, node: Node) -> Any:
    return None if value is None else node(value)


def _list(value: Any, _locate: Locate, node: Node) -> Any:
    return None if value is None else tuple(map(node, value))


def _enum(members: dict[str, Any]) -> Convert:
    def convert(value: Any, _locate: Locate, _node: Node) -> Any:
        member = members.get(value)
        if member is None:
            raise Unsupported(f"enum value {value!r}")
        return member
    return convert


def _struct(cls: type[ast.Node], skip: frozenset[str]) -> Convert:
    """A field of one node type, written with its fields only (no object naming the class)."""
    def convert(value: Any, locate: Locate, node: Node) -> Any:
        build = _builder(cls.__name__, skip)
        assert build is not None
        if value is None:
            return build({}, locate, node)  # written as {}: every field at its default
        if type(value) is not dict:
            raise Unsupported(f"{cls.__name__}: {type(value).__name__}")
        if len(value) == 1 and cls.__name__ in value:  # written as a node after all
            return node(value)
        return build(value, locate, node)
    return convert


def _no_value(ctype: str) -> Convert:
    def convert(value: Any, _locate: Locate, _node: Node) -> Any:
        if value is not None:
            raise Unsupported(ctype)
        return None
    return convert


def _bitmapset(value: Any, _locate: Locate, _node: Node) -> Any:
    return set(value) if value is not None else None


def _float(value: Any, _locate: Locate, _node: Node) -> float:
    return float(value or 0)


def _skipped(_value: Any, _locate: Locate, _node: Node) -> None:
    return None


def _converter(kind: str, arg: Any, skip: frozenset[str]) -> Convert | None:
    """How a key present is converted; None for a location (converted in the builder itself)."""
    if kind == "loc":
        return None
    if kind == "node":
        return _node
    if kind == "list":
        return _list
    if kind == "enum":
        return _enum(arg)
    if kind == "struct":
        return _struct(arg, skip)
    if kind == "Bitmapset*":
        return _bitmapset
    if kind in ("Cardinality", "Cost"):
        return _float
    return _no_value(kind)


# A class met this many times in a process gets a compiled builder (`_compiled_builder`): compiling
# one costs about as much as building a few hundred nodes generically, and then saves half of each
# node's cost (a 2,000-table tree compiles every class it meets; FlatRender's schema/ a handful).
COMPILE_AFTER = 256


def _node_builder(cls: type[ast.Node], skip: frozenset[str]) -> Build:
    """`cls`'s builder: every slot set in C (`map` over the shape's keys) on its twin, then only the
    keys present that need it converted (the slots in `skip` to None, their subtrees never built);
    after `COMPILE_AFTER` nodes, the compiled builder."""
    shape = _shape(cls)
    names, required, slots, keys, defaults = shape.names, shape.required, shape.slots, shape.keys, shape.defaults
    special = {key: (slot, _skipped if slot in skip else _converter(kind, arg, skip))
               for key, (slot, kind, arg) in shape.special.items()}
    twin, empty = _twin(cls), {}
    new = twin.__new__
    made, compiled = 0, None

    def build(fields: dict[str, Any] | None, locate: Locate, node_of: Node) -> ast.Node:
        nonlocal made, compiled
        if compiled is not None:
            return compiled(fields, locate, node_of)  # type: ignore[no-any-return]
        made += 1
        if made > COMPILE_AFTER:
            compiled = _compiled_builder(cls, skip)
            return compiled(fields, locate, node_of)  # type: ignore[no-any-return]
        if fields is None:
            fields = empty
        present = fields.keys()
        if not present <= names or (required and not required <= present):
            raise Unsupported(f"{cls.__name__}: {sorted(present ^ names)}")
        node = new(twin)
        _consume(map(setattr, repeat(node), slots, map(fields.get, keys, defaults)))
        for key in present:
            conv = special.get(key)
            if conv is not None:
                slot, convert = conv
                setattr(node, slot, locate(fields[key]) if convert is None else convert(fields[key], locate, node_of))
        node.__class__ = cls
        return node

    return build


def _unsupported(cls: type[ast.Node], present: Any, names: frozenset[str]) -> Unsupported:
    return Unsupported(f"{cls.__name__}: {sorted(present ^ names)}")


@cache
def _compiled_builder(cls: type[ast.Node], skip: frozenset[str]) -> Build:
    """What `_node_builder` does for `cls`, as straight-line code made for its slots (as dataclasses
    make `__init__`): one `fields.get` and one attribute store per slot, no loop, no `setattr` call."""
    shape = _shape(cls)
    env: dict[str, Any] = {"CLS": cls, "TWIN": _twin(cls), "new": _twin(cls).__new__, "EMPTY": {},
                           "NAMES": shape.names, "REQUIRED": shape.required, "Unsupported": Unsupported,
                           "unsupported": _unsupported}
    check = "not present <= NAMES" + (" or not REQUIRED <= present" if shape.required else "")
    body = []
    for i, (slot, key, default) in enumerate(zip(shape.slots, shape.keys, shape.defaults, strict=True)):
        env[f"d{i}"] = default
        kind, arg = shape.special.get(key, (slot, None, None))[1:]
        if slot in skip and kind is not None:
            body.append(f"node.{slot} = None")
        elif kind is None:
            body.append(f"node.{slot} = get({key!r}, d{i})")
        elif kind == "loc":
            body.append(f"v = get({key!r}); node.{slot} = d{i} if v is None else locate(v)")
        elif kind == "node":
            body.append(f"v = get({key!r}); node.{slot} = None if v is None else node_of(v)")
        elif kind == "list":
            body.append(f"v = get({key!r}); node.{slot} = None if v is None else tuple(map(node_of, v))")
        elif kind == "enum":
            env[f"m{i}"] = arg
            body.append(f"v = get({key!r}); node.{slot} = d{i} if v is None else m{i}[v]")
        else:
            env[f"c{i}"] = _converter(kind, arg, skip)
            body.append(f"node.{slot} = c{i}(fields[{key!r}], locate, node_of) if {key!r} in present else d{i}")
    source = "\n".join([
        "def build(fields, locate, node_of):",
        "    if fields is None:",
        "        fields = EMPTY",
        "    present = fields.keys()",
        f"    if {check}:",
        "        raise unsupported(CLS, present, NAMES)",
        "    get = fields.get",
        "    node = new(TWIN)",
        "    try:",
        *(f"        {line}" for line in body or ["pass"]),
        "    except KeyError as exc:  # an enum member pglast does not know",
        "        raise Unsupported(f'{CLS.__name__}: {exc}') from None",
        "    node.__class__ = CLS",
        "    return node",
    ])
    exec(compile(source, f"<lint builder {cls.__name__}>", "exec"), env)  # our own text, from pglast's slots
    return env["build"]  # type: ignore[no-any-return]


def _a_const(fields: dict[str, Any] | None, locate: Locate, node_of: Node) -> ast.Node:
    fields = fields or {}
    node = ast.A_Const.__new__(ast.A_Const)
    isnull = bool(fields.get("isnull", False))
    value = None
    if not isnull:
        kinds = [k for k in fields if k in _VALUES]
        if len(kinds) != 1:
            raise Unsupported(f"A_Const: {sorted(fields)}")
        inner = fields[kinds[0]]
        build = _builder(_VALUES[kinds[0]].__name__, frozenset())  # a value has nothing to skip
        assert build is not None
        value = build(inner if type(inner) is dict else {}, locate, node_of)
    _set(node, "isnull", isnull)
    _set(node, "val", value)
    if "location" in ast.A_Const.__slots__:  # type: ignore[operator]
        _set(node, "location", locate(fields.get("location", 0)))
    return node


def _list_node(value: dict[str, Any] | None, _locate: Locate, node_of: Node) -> tuple[Any, ...]:
    items = (value or {}).get("items")
    return tuple(map(node_of, items)) if items is not None else ()


@cache
def _builder(name: str, skip: frozenset[str]) -> Build | None:
    """The builder of the JSON object named `name`: a node class, or a `List`; None for any other key."""
    cls = _CLASSES.get(name)
    if cls is ast.A_Const:
        return _a_const
    if cls is not None:
        return _node_builder(cls, skip)
    return _list_node if name == "List" else None


def _node_maker(locate: Locate, skip: frozenset[str]) -> Node:
    """One text's node maker: top down, from the object naming a node's class (`{}` is a NULL item)."""
    builders: dict[str, Build] = {}

    def node_of(wrapped: Any) -> Any:
        if type(wrapped) is not dict or len(wrapped) > 1:
            raise Unsupported(f"not a node: {type(wrapped).__name__}")
        if not wrapped:
            return None
        ((key, fields),) = wrapped.items()
        build = builders.get(key)
        if build is None:
            found = _builder(key, skip)
            if found is None:
                raise Unsupported(f"not a node: {key}")
            build = builders[key] = found
        return build(fields, locate, node_of)

    return node_of


def _statements(text: str, locate: Locate, skip: frozenset[str]) -> tuple[ast.RawStmt, ...]:
    tree = json.loads(parser.parse_sql_json(text))
    node_of = _node_maker(locate, skip)
    out = []
    for item in tree.get("stmts", ()):
        if not item.keys() <= {"stmt", "stmt_location", "stmt_len"}:
            raise Unsupported(f"RawStmt: {sorted(item)}")
        raw = ast.RawStmt.__new__(ast.RawStmt)
        start, length = item.get("stmt_location", 0), item.get("stmt_len", 0)
        stmt = item.get("stmt")
        try:
            _set(raw, "stmt", None if stmt is None else node_of(stmt))
        except RecursionError:  # deeper than Python's stack: pglast's C builds it
            raise Unsupported("nested too deeply") from None
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


def decode(text: str, skip: frozenset[str] = frozenset()) -> tuple[ast.RawStmt, ...]:
    """The statements of `text` built from the JSON; raises `Unsupported`, or `parser.ParseError`.

    Slots named in `skip` are left None wherever they are, their subtrees never built (lint passes
    the slots its walk does not enter and no rule reads: `walk.UNREAD`)."""
    locate = _ascii_offsets(len(text)) if text.isascii() else parser.Displacements(text)
    return _statements(text, locate, skip)


def parse_sql(text: str, skip: frozenset[str] = frozenset()) -> tuple[ast.RawStmt, ...]:
    """What `pglast.parser.parse_sql(text)` returns (and raises: `parser.ParseError`), with the slots
    in `skip` None (or, where the JSON path cannot make the tree, pglast's whole tree)."""
    try:
        return decode(text, skip)
    except Unsupported:
        return parser.parse_sql(text)
