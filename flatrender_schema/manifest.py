"""The declared models of `schema.yaml` and `service.yaml`, validated with line-accurate errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from flatrender_schema.citus.manifest import CitusSettings, ServiceCitus
from flatrender_schema.errors import InputError, Location

IDENT = r"[a-z_][a-z0-9_$]{0,62}"
QUALIFIED_TABLE = re.compile(rf"^{IDENT}\.{IDENT}$")
QUALIFIED_COLUMN = re.compile(rf"^{IDENT}\.{IDENT}\.{IDENT}$")
LOCAL_COLUMN = re.compile(rf"^{IDENT}\.{IDENT}$")
M = TypeVar("M", bound="BaseModel")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Extension(_Strict):
    name: str
    schema_: str = Field("public", alias="schema")
    version: str | None = None


class PartitionPolicy(_Strict):
    interval: Literal["month"] = "month"
    premake: int = Field(3, ge=0, le=36)


class Rename(_Strict):
    table: str | None = None
    column: str | None = None
    to: str

    @field_validator("table")
    @classmethod
    def _table(cls, v: str | None) -> str | None:
        if v is not None and not QUALIFIED_TABLE.match(v):
            raise ValueError("write the old table as schema.table")
        return v

    @field_validator("column")
    @classmethod
    def _column(cls, v: str | None) -> str | None:
        if v is not None and not QUALIFIED_COLUMN.match(v):
            raise ValueError("write the old column as schema.table.column")
        return v

    def model_post_init(self, __context: Any) -> None:
        if (self.table is None) == (self.column is None):
            raise ValueError("a rename names exactly one of `table` or `column`")


class ProjectManifest(_Strict):
    version: Literal[1]
    postgres: int = Field(15, ge=15)
    owner: str | None = None

    @field_validator("owner")
    @classmethod
    def _owner_name(cls, v: str | None) -> str | None:
        return None if v is None else _check_name(v, "owner")
    extensions: tuple[Extension, ...] = ()
    services: tuple[str, ...]
    partition_policy: PartitionPolicy = PartitionPolicy()
    ignore: tuple[str, ...] = ()
    renames: tuple[Rename, ...] = ()
    citus: CitusSettings = CitusSettings()  # Citus: flatrender_schema/citus/

    @field_validator("services")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        dupes = sorted({s for s in v if v.count(s) > 1})
        if dupes:
            raise ValueError(f"service listed twice: {', '.join(dupes)}")
        return v


class Partitioned(_Strict):
    key: str
    initial: str

    @field_validator("initial")
    @classmethod
    def _month(cls, v: str) -> str:
        if not MONTH.match(v):
            raise ValueError("initial partition must be a month written YYYY-MM (quote it in YAML)")
        return v


class ReferenceData(_Strict):
    table: str
    key: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]

    def model_post_init(self, __context: Any) -> None:
        for row in self.rows:
            missing = [k for k in self.key if k not in row]
            if missing:
                raise ValueError(f"a row of {self.table} lacks its key column(s) {', '.join(missing)}")


class ServiceManifest(_Strict):
    schema_: str = Field(alias="schema")
    role: str

    @field_validator("schema_")
    @classmethod
    def _schema_name(cls, v: str) -> str:
        return _check_name(v, "schema")

    @field_validator("role")
    @classmethod
    def _role_name(cls, v: str) -> str:
        return _check_name(v, "role")
    description: str = ""
    tenant_exempt: dict[str, str] = {}
    soft_references: dict[str, str] = {}
    reads: tuple[str, ...] = ()
    cross_schema_fks: dict[str, str] = {}
    partitioned: dict[str, Partitioned] = {}
    reference_data: tuple[ReferenceData, ...] = ()
    citus: ServiceCitus = ServiceCitus()  # Citus: flatrender_schema/citus/

    @field_validator("tenant_exempt")
    @classmethod
    def _reasons(cls, v: dict[str, str]) -> dict[str, str]:
        for table, reason in v.items():
            if not str(reason or "").strip():
                raise ValueError(f"exempting {table} from tenant_id needs a reason")
        return v

    @field_validator("soft_references", "cross_schema_fks")
    @classmethod
    def _refs(cls, v: dict[str, str]) -> dict[str, str]:
        for column, target in v.items():
            if not LOCAL_COLUMN.match(column):
                raise ValueError(f"{column!r}: write the column as table.column (in this service's schema)")
            if not QUALIFIED_COLUMN.match(target):
                raise ValueError(f"{target!r}: write the target as schema.table.column")
        return v

    @field_validator("reads")
    @classmethod
    def _reads(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for table in v:
            if not QUALIFIED_TABLE.match(table):
                raise ValueError(f"{table!r}: write a read as schema.table")
        return v


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


def read_yaml(path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", Location.of(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", Location.of(path)) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
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
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        line = None
        for n in range(len(loc), -1, -1):
            if loc[:n] in lines:
                line = lines[loc[:n]]
                break
        field = ".".join(str(p) for p in loc) or what
        message = _explain(err)
        extra = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise InputError(f"{field}: {message}{extra}", Location.of(path, line)) from None


def _explain(err: Any) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key; see docs/manifests.md for the keys a manifest takes"
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        return f"{err['msg'].lower()}"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")


def load_project_manifest(path: Path) -> ProjectManifest:
    return _validate(ProjectManifest, path, "schema.yaml")


def load_service_manifest(path: Path) -> ServiceManifest:
    return _validate(ServiceManifest, path, "service.yaml")
