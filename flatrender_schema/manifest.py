"""The declared models of `schema.yaml` and `service.yaml`, validated with line-accurate errors.

Each model is a frozen dataclass whose fields declare how they are validated (`validation`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from flatrender_schema.citus.manifest import CitusSettings, ServiceCitus
from flatrender_schema.errors import InputError, Location
from flatrender_schema.validation import (
    Invalid,
    anything,
    dict_of,
    field,
    integer,
    literal,
    model,
    optional,
    string,
    tuple_of,
    validate,
)

IDENT = r"[a-z_][a-z0-9_$]{0,62}"
QUALIFIED_TABLE = re.compile(rf"^{IDENT}\.{IDENT}$")
QUALIFIED_COLUMN = re.compile(rf"^{IDENT}\.{IDENT}\.{IDENT}$")
LOCAL_COLUMN = re.compile(rf"^{IDENT}\.{IDENT}$")
M = TypeVar("M")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def using_expression(text: str) -> str:
    """`conversions.using_expression`, imported when a manifest declares a conversion: it deparses with
    pglast's printers, which `schema lint` would otherwise load for nothing at every start."""
    from flatrender_schema.conversions import using_expression as check

    return check(text)


def _check_name(value: str, what: str) -> str:
    """A PostgreSQL name: any characters (quoted wherever the tool writes it), at most 63 bytes."""
    if not value:
        raise ValueError(f"{what} must not be empty")
    if "\0" in value:
        raise ValueError(f"{what} must not contain a NUL character")
    if len(value.encode("utf-8")) > 63:
        raise ValueError(f"{what} {value!r} is longer than PostgreSQL's 63-byte limit for names")
    if value.lower().startswith("pg_"):
        raise ValueError(f"{what} {value!r}: names starting with pg_ are reserved by PostgreSQL")
    return value


def _matches(pattern: re.Pattern[str], message: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is not None and not pattern.match(value):
            raise ValueError(message)
        return value

    return check


def _named(what: str) -> Callable[[Any], Any]:
    return lambda v: None if v is None else _check_name(v, what)


@dataclass(frozen=True)
class Extension:
    """An extension `schema.yaml` installs."""

    name: str = field(string)
    schema_: str = field(string, "public", alias="schema")
    version: str | None = field(optional(string), None)


@dataclass(frozen=True)
class PartitionPolicy:
    """How partitions are made ahead of time."""

    interval: str = field(literal("month"), "month")
    premake: int = field(integer(ge=0, le=36), 3)


# kw_only: fields keep the order they are validated (and errors reported) in, defaults or not.
@dataclass(frozen=True, kw_only=True)
class Rename:
    """A table or column renamed, so that a plan renames instead of dropping and adding."""

    table: str | None = field(optional(string), None, check=_matches(QUALIFIED_TABLE, "write the old table as "
                                                                                       "schema.table"))
    column: str | None = field(optional(string), None,
                               check=_matches(QUALIFIED_COLUMN, "write the old column as schema.table.column"))
    to: str = field(string)

    def check(self) -> None:
        if (self.table is None) == (self.column is None):
            raise ValueError("a rename names exactly one of `table` or `column`")


@dataclass(frozen=True, kw_only=True)
class ColumnConversion:
    """A column's type change with the USING expression it takes (flatrender_schema/conversions.py)."""

    column: str = field(string, check=_matches(QUALIFIED_COLUMN, "write the column as schema.table.column"))
    using: str = field(string, check=using_expression)


def _local_conversions(v: dict[str, str]) -> dict[str, str]:
    out = {}
    for column, expr in v.items():
        if not LOCAL_COLUMN.match(column):
            raise ValueError(f"{column!r}: write the column as table.column (in this service's schema)")
        try:
            out[column] = using_expression(expr)
        except ValueError as exc:
            raise ValueError(f"{column}: {exc}") from None
    return out


def _unique(v: tuple[str, ...]) -> tuple[str, ...]:
    dupes = sorted({s for s in v if v.count(s) > 1})
    if dupes:
        raise ValueError(f"service listed twice: {', '.join(dupes)}")
    return v


@dataclass(frozen=True, kw_only=True)
class ProjectManifest:
    """`schema.yaml`: the project's settings and its services."""

    version: int = field(literal(1))
    postgres: int = field(integer(ge=15), 15)
    owner: str | None = field(optional(string), None, check=_named("owner"))
    extensions: tuple[Extension, ...] = field(tuple_of(model(Extension)), ())
    services: tuple[str, ...] = field(tuple_of(string), check=_unique)
    partition_policy: PartitionPolicy = field(model(PartitionPolicy), PartitionPolicy())
    ignore: tuple[str, ...] = field(tuple_of(string), ())
    renames: tuple[Rename, ...] = field(tuple_of(model(Rename)), ())
    conversions: tuple[ColumnConversion, ...] = field(tuple_of(model(ColumnConversion)), ())
    citus: CitusSettings = field(model(CitusSettings), CitusSettings())  # Citus: flatrender_schema/citus/


def _month(v: str) -> str:
    if not MONTH.match(v):
        raise ValueError("initial partition must be a month written YYYY-MM (quote it in YAML)")
    return v


@dataclass(frozen=True)
class Partitioned:
    """A table declared partitioned by range on `key`, from the month `initial`."""

    key: str = field(string)
    initial: str = field(string, check=_month)


@dataclass(frozen=True)
class ReferenceData:
    """Rows a table must hold, matched on `key`."""

    table: str = field(string)
    key: tuple[str, ...] = field(tuple_of(string))
    rows: tuple[dict[str, Any], ...] = field(tuple_of(dict_of(anything)))

    def check(self) -> None:
        for row in self.rows:
            missing = [k for k in self.key if k not in row]
            if missing:
                raise ValueError(f"a row of {self.table} lacks its key column(s) {', '.join(missing)}")


def _reasons(v: dict[str, str]) -> dict[str, str]:
    for table, reason in v.items():
        if not str(reason or "").strip():
            raise ValueError(f"exempting {table} from tenant_id needs a reason")
    return v


def _refs(v: dict[str, str]) -> dict[str, str]:
    for column, target in v.items():
        if not LOCAL_COLUMN.match(column):
            raise ValueError(f"{column!r}: write the column as table.column (in this service's schema)")
        if not QUALIFIED_COLUMN.match(target):
            raise ValueError(f"{target!r}: write the target as schema.table.column")
    return v


def _reads(v: tuple[str, ...]) -> tuple[str, ...]:
    for table in v:
        if not QUALIFIED_TABLE.match(table):
            raise ValueError(f"{table!r}: write a read as schema.table")
    return v


@dataclass(frozen=True)
class ServiceManifest:
    """A service's `service.yaml`: its schema, role and declarations."""

    schema_: str = field(string, alias="schema", check=_named("schema"))
    role: str = field(string, check=_named("role"))
    description: str = field(string, "")
    tenant_exempt: dict[str, str] = field(dict_of(string), {}, check=_reasons)
    soft_references: dict[str, str] = field(dict_of(string), {}, check=_refs)
    reads: tuple[str, ...] = field(tuple_of(string), (), check=_reads)
    cross_schema_fks: dict[str, str] = field(dict_of(string), {}, check=_refs)
    partitioned: dict[str, Partitioned] = field(dict_of(model(Partitioned)), {})
    reference_data: tuple[ReferenceData, ...] = field(tuple_of(model(ReferenceData)), ())
    conversions: dict[str, str] = field(dict_of(string), {}, check=_local_conversions)
    citus: ServiceCitus = field(model(ServiceCitus), ServiceCitus())  # Citus: flatrender_schema/citus/


# -- YAML with line numbers ---------------------------------------------------------------------


def _line_index(node: yaml.Node, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """Map every key path in the document to the 1-based line where it is written."""
    index = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*path, key.value)
            index.update(_line_index(value, sub))
            index[sub] = key.start_mark.line + 1  # a key's own line, not its value's
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            index.update(_line_index(item, (*path, i)))
    return index


# libyaml's parser when PyYAML was built with it: the pure-Python one is most of a manifest's read time.
# Its error messages say less ("found character that cannot start any token", no character named), so
# a document it refuses is read again by the pure-Python parser, whose message is the one reported.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose_and_construct(text: str) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (for line numbers) and its data, from one parse."""
    if _FAST_LOADER is not None:
        try:
            return _load_with(_FAST_LOADER, text)
        except yaml.YAMLError:
            pass
    return _load_with(yaml.SafeLoader, text)


def _load_with(loader_class: Any, text: str) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def read_yaml(path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", Location.of(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", Location.of(path)) from None
    try:
        node, data = _compose_and_construct(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"YAML does not parse: {problem}", Location.of(path, line, col)) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML does not parse: {exc}", Location.of(path)) from None
    return data, (_line_index(node) if node is not None else {})


def _validate(model: type[M], path: Path, what: str) -> M:
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError(f"{what} must be a mapping of keys to values", Location.of(path, 1))
    try:
        return validate(model, data)
    except Invalid as exc:
        loc, kind, msg = exc.errors[0]
        line = None
        for n in range(len(loc), -1, -1):
            if loc[:n] in lines:
                line = lines[loc[:n]]
                break
        field = ".".join(str(p) for p in loc) or what
        message = _explain(kind, msg)
        extra = f" (and {len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""
        raise InputError(f"{field}: {message}{extra}", Location.of(path, line)) from None


def _explain(kind: str, msg: str) -> str:
    if kind == "extra_forbidden":
        return "unknown key; see docs/manifests.md for the keys a manifest takes"
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        return msg.lower()
    return msg.removeprefix("Value error, ")


def load_project_manifest(path: Path) -> ProjectManifest:
    return _validate(ProjectManifest, path, "schema.yaml")


def load_service_manifest(path: Path) -> ServiceManifest:
    return _validate(ServiceManifest, path, "service.yaml")
