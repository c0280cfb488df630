"""Where each pulled statement goes: a file per table (with what belongs to it), one per topic.

plain:    <schema>/<table>.sql, <schema>/{schema,types,domains,functions,views,sequences,collations}.sql,
          extensions.sql and default_privileges.sql at the top.
services: the same files under each service's directory (named after its schema), without what the
          manifests derive.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from flatrender_schema.pull.render import Block

TOPICS = frozenset(
    {"schema", "types", "domains", "functions", "views", "sequences", "collations", "extensions", "default_privileges"}
)
_SAFE = re.compile(r"^[a-z0-9_][a-z0-9_$-]{0,99}$")


def safe_name(name: str) -> str:
    """A file or directory name for a PostgreSQL name: the name itself when it is plain lower-case,
    else a readable part and a digest (quotes, slashes, dots, case-insensitive file systems)."""
    if _SAFE.match(name):
        return name
    readable = re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_")[:60] or "name"
    return f"{readable}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def file_for(block: Block, directory_of: dict[str, str] | None = None) -> str:
    """The file (relative, `/`-separated) holding `block`. `directory_of` maps schemas to directories
    (the services layout's service names); by default each schema's safe name."""
    if block.schema is None:
        return f"{block.home}.sql"
    directory = (directory_of or {}).get(block.schema) or safe_name(block.schema)
    if block.home.startswith("table:"):
        stem = safe_name(block.home[len("table:") :])
        if stem in TOPICS:
            stem += ".table"
        return f"{directory}/{stem}.sql"
    return f"{directory}/{block.home}.sql"


def group_files(blocks: list[Block], directory_of: dict[str, str] | None = None) -> dict[str, list[Block]]:
    out: dict[str, list[Block]] = defaultdict(list)
    for b in blocks:
        out[file_for(b, directory_of)].append(b)
    return dict(sorted(out.items()))


def join_statements(statements: list[str]) -> str:
    """A file's text: statements ended by `;`, a blank line before each CREATE (what follows a table,
    its comments and grants, stays with it)."""
    out = []
    for i, sql in enumerate(statements):
        if i:
            out.append("\n\n" if sql.lstrip().upper().startswith("CREATE") else "\n")
        out.append(sql + ";")
    return "".join(out) + "\n"
