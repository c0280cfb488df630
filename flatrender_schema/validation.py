"""A small declarative validator for the manifests: frozen dataclasses plus field specs.

It follows the rules and messages the manifests had under pydantic (lax: "16" and 16.0 are the
integer 16; a list is a tuple; unknown keys are refused), so bad input reads the same, without the
quarter of a second pydantic costs at start-up — `schema lint` runs on every commit.
Errors are collected like pydantic's: (location, kind, message), fields in declaration order, then
unknown keys; a model's own check runs only when its fields are valid.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from typing import Any, TypeVar

Loc = tuple[Any, ...]
Error = tuple[Loc, str, str]  # (where, kind, message)
Spec = Callable[[Any, Loc, list[Error]], Any]
T = TypeVar("T")

_BAD = object()  # a value that did not validate (its error is recorded)
_REQUIRED: Any = dataclasses.MISSING
_INT_TEXT = re.compile(r"^\s*[+-]?\d+\s*$")


class Invalid(Exception):
    def __init__(self, errors: list[Error]) -> None:
        super().__init__(errors[0][2] if errors else "invalid")
        self.errors = errors


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """How one manifest field is validated: its spec, its YAML key if not its name, a check."""

    spec: Spec
    alias: str | None = None
    check: Callable[[Any], Any] | None = None  # raises ValueError with the message to show


def field(spec: Spec, default: Any = _REQUIRED, *, alias: str | None = None,
          check: Callable[[Any], Any] | None = None) -> Any:
    """A dataclass field validated by `spec` (and then `check`), read from key `alias` or its name."""
    meta = {"validate": FieldSpec(spec, alias, check)}
    if isinstance(default, dict | list):
        frozen = default
        return dataclasses.field(default_factory=lambda: type(frozen)(frozen), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def validate(cls: type[T], data: Any, loc: Loc = ()) -> T:
    """`cls` built from `data`, or Invalid with every error found."""
    errors: list[Error] = []
    value = model(cls)(data, loc, errors)
    if errors:
        raise Invalid(errors)
    return value  # type: ignore[no-any-return]


# -- specs ---------------------------------------------------------------------------------------


def string(value: Any, loc: Loc, errors: list[Error]) -> Any:
    if isinstance(value, str):
        return value
    errors.append((loc, "string_type", "Input should be a valid string"))
    return _BAD


def boolean(value: Any, loc: Loc, errors: list[Error]) -> Any:
    if isinstance(value, bool):
        return value
    errors.append((loc, "bool_type", "Input should be a valid boolean"))
    return _BAD


def anything(value: Any, loc: Loc, errors: list[Error]) -> Any:
    return value


def optional(spec: Spec) -> Spec:
    def check(value: Any, loc: Loc, errors: list[Error]) -> Any:
        return None if value is None else spec(value, loc, errors)

    return check


def integer(ge: int | None = None, le: int | None = None) -> Spec:
    def check(value: Any, loc: Loc, errors: list[Error]) -> Any:
        number: int
        if isinstance(value, bool | int):
            number = int(value)
        elif isinstance(value, float):
            if not math.isfinite(value):
                errors.append((loc, "finite_number", "Input should be a finite number"))
                return _BAD
            if not value.is_integer():
                errors.append((loc, "int_from_float", "Input should be a valid integer, got a number with a "
                                                      "fractional part"))
                return _BAD
            number = int(value)
        elif isinstance(value, str):
            if not _INT_TEXT.match(value):
                errors.append((loc, "int_parsing", "Input should be a valid integer, unable to parse string as an "
                                                   "integer"))
                return _BAD
            number = int(value)
        else:
            errors.append((loc, "int_type", "Input should be a valid integer"))
            return _BAD
        if ge is not None and number < ge:
            errors.append((loc, "greater_than_equal", f"Input should be greater than or equal to {ge}"))
            return _BAD
        if le is not None and number > le:
            errors.append((loc, "less_than_equal", f"Input should be less than or equal to {le}"))
            return _BAD
        return number

    return check


def literal(*allowed: int | str) -> Spec:
    def check(value: Any, loc: Loc, errors: list[Error]) -> Any:
        for a in allowed:
            if isinstance(a, str) and isinstance(value, str) and value == a:
                return a
            if isinstance(a, int) and isinstance(value, bool | int | float) and value == a:
                return a
        expected = " or ".join(repr(a) for a in allowed)
        errors.append((loc, "literal_error", f"Input should be {expected}"))
        return _BAD

    return check


def tuple_of(spec: Spec) -> Spec:
    def check(value: Any, loc: Loc, errors: list[Error]) -> Any:
        if not isinstance(value, list | tuple):
            errors.append((loc, "tuple_type", "Input should be a valid tuple"))
            return _BAD
        items = [spec(v, (*loc, i), errors) for i, v in enumerate(value)]
        return _BAD if any(i is _BAD for i in items) else tuple(items)

    return check


def dict_of(spec: Spec) -> Spec:
    """A mapping with string keys (a key that is not is reported at `key.[key]`, as pydantic does)."""

    def check(value: Any, loc: Loc, errors: list[Error]) -> Any:
        if not isinstance(value, dict):
            errors.append((loc, "dict_type", "Input should be a valid dictionary"))
            return _BAD
        out: dict[str, Any] = {}
        bad = False
        for k, v in value.items():
            key = string(k, (*loc, k, "[key]"), errors)
            item = spec(v, (*loc, k), errors)
            bad = bad or key is _BAD or item is _BAD
            if not bad:
                out[key] = item
        return _BAD if bad else out

    return check


def model(cls: type[Any]) -> Spec:
    """A mapping of keys to `cls`'s fields; then `cls.check(self)`, if any, with its ValueError at `loc`."""

    def check(value: Any, loc: Loc, errors: list[Error]) -> Any:
        if not isinstance(value, dict):
            errors.append((loc, "model_type", f"Input should be a valid dictionary or instance of {cls.__name__}"))
            return _BAD
        before = len(errors)
        values: dict[str, Any] = {}
        known: set[str] = set()
        for f in dataclasses.fields(cls):
            spec: FieldSpec = f.metadata["validate"]
            key = spec.alias or f.name
            known.add(key)
            if key not in value:
                if f.default is _REQUIRED and f.default_factory is dataclasses.MISSING:
                    errors.append(((*loc, key), "missing", "Field required"))
                continue
            item = spec.spec(value[key], (*loc, key), errors)
            if item is not _BAD and spec.check is not None:
                try:
                    item = spec.check(item)
                except ValueError as exc:
                    errors.append(((*loc, key), "value_error", f"Value error, {exc}"))
                    item = _BAD
            if item is not _BAD:
                values[f.name] = item
        for key in value:
            if key not in known:
                errors.append(((*loc, key), "extra_forbidden", "Extra inputs are not permitted"))
        if len(errors) > before:
            return _BAD
        built = cls(**values)
        own_check = getattr(built, "check", None)
        if own_check is not None:
            try:
                own_check()
            except ValueError as exc:
                errors.append((loc, "value_error", f"Value error, {exc}"))
                return _BAD
        return built

    return check
