"""The Citus hazard: a statement that moves a table's rows between shards or nodes.

`alter_distributed_table` (a new distribution column, shard count or co-location group) and
`undistribute_table` rebuild the table and copy every row: on a large table that takes long and,
when interrupted, leaves the work to redo. Refused unless allowed (`--allow-hazard REDISTRIBUTES_DATA`).
"""

from __future__ import annotations

import re

CODE = "REDISTRIBUTES_DATA"
MESSAGE = "moves the table's data between shards or nodes (alter_distributed_table, undistribute_table)"

_REDISTRIBUTES = re.compile(r'^\s*select\s+"?(alter_distributed_table|undistribute_table)"?\s*\(', re.I)


def codes_of(sql_text: str) -> tuple[str, ...]:
    return (CODE,) if _REDISTRIBUTES.match(sql_text) else ()


_CALL = re.compile(
    r'^\s*select\s+"?(?:create_distributed_table|create_reference_table|alter_distributed_table|undistribute_table)"?'
    r"\s*\(\s*'((?:[^']|'')*)'", re.I)


def object_of(sql_text: str) -> str:
    """The table a Citus distribution call names (`schema.table`, for display), else ''."""
    m = _CALL.match(sql_text)
    if not m:
        return ""
    return ".".join(part.strip('"').replace('""', '"') for part in m.group(1).replace("''", "'").split('"."'))
