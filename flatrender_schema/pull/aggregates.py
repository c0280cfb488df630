"""CREATE AGGREGATE from pg_aggregate: PostgreSQL has no deparser for aggregates (pg_get_functiondef
refuses them), so the statement is written from the catalog row, each option only where it differs
from what CREATE AGGREGATE would choose."""

from __future__ import annotations

from typing import Any

from flatrender_schema.pull.sqltext import literal

_MODIFY = {"r": "READ_ONLY", "s": "SHAREABLE", "w": "READ_WRITE"}
_PARALLEL = {"s": "SAFE", "r": "RESTRICTED", "u": "UNSAFE"}


def _operator(name: str) -> str:
    """A sort operator as SORTOP takes it: a qualified one inside OPERATOR()."""
    return f"OPERATOR({name})" if "." in name else name


def _final(row: dict[str, Any], prefix: str, default_modify: str) -> list[str]:
    """The final function's options, of the plain (`prefix` "") or the moving ("m") mode."""
    name = row[f"{prefix}finalfunc"]
    if not name:
        return []
    out = [f"{prefix.upper()}FINALFUNC = {name}"]
    if row[f"{prefix}finalfunc_extra"]:
        out.append(f"{prefix.upper()}FINALFUNC_EXTRA")
    if row[f"{prefix}finalfunc_modify"] != default_modify:
        out.append(f"{prefix.upper()}FINALFUNC_MODIFY = {_MODIFY[row[f'{prefix}finalfunc_modify']]}")
    return out


def create_aggregate(row: dict[str, Any]) -> str:
    ordered = row["aggregate_kind"] in ("o", "h")  # ordered-set and hypothetical-set: read-write by default
    options = [f"SFUNC = {row['sfunc']}", f"STYPE = {row['stype']}"]
    if row["sspace"]:
        options.append(f"SSPACE = {row['sspace']}")
    options += _final(row, "", "w" if ordered else "r")
    for key in ("combinefunc", "serialfunc", "deserialfunc"):
        if row[key]:
            options.append(f"{key.upper()} = {row[key]}")
    if row["initcond"] is not None:
        options.append(f"INITCOND = {literal(row['initcond'])}")
    if row["msfunc"]:
        options += [f"MSFUNC = {row['msfunc']}", f"MINVFUNC = {row['minvfunc']}", f"MSTYPE = {row['mstype']}"]
        if row["msspace"]:
            options.append(f"MSSPACE = {row['msspace']}")
        options += _final(row, "m", "r")
        if row["minitcond"] is not None:
            options.append(f"MINITCOND = {literal(row['minitcond'])}")
    if row["sortop"]:
        options.append(f"SORTOP = {_operator(row['sortop'])}")
    if row["parallel"] != "u":
        options.append(f"PARALLEL = {_PARALLEL[row['parallel']]}")
    if row["aggregate_kind"] == "h":
        options.append("HYPOTHETICAL")
    args = row["args"] or "*"
    return f"CREATE AGGREGATE {row['qname']}({args}) (\n    " + "\n  , ".join(options) + "\n)"
