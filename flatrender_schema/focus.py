"""A focus: the objects a narrowed plan looks at, named `(schema, name)`; `(schema, "")` is a schema itself.

The bottom layer: the judge (`catalog`) and the engine seam both select rows by it, and neither
imports the other for it.
"""

from __future__ import annotations

Focus = frozenset[tuple[str, str]]


def in_focus(only: Focus, schema: str, name: str, parent: str | None = None) -> bool:
    """Whether `only` names an object: `(schema, name)`; a part of an object (a table's column,
    constraint, index, trigger, policy, owned sequence; a domain's constraint) goes with its
    parent, `(schema, parent)`."""
    return (schema, parent) in only if parent else (schema, name) in only


def focus_keys(only: Focus) -> list[str]:
    """The named objects of `only` as `schema` chr(31) `name`, for a condition the server evaluates
    (a superset when a name holds chr(31): the caller filters the rows with `in_focus` too)."""
    return sorted(f"{schema}\x1f{name}" for schema, name in only if name)
