"""Where each pulled statement goes: a file per table (with what belongs to it), one per topic.

plain:    <schema>/<table>.sql, <schema>/{_schema,types,domains,functions,views,sequences,collations}.sql,
          extensions.sql and default_privileges.sql at the top.
services: the same files under each service's directory (named after its schema), without what the
          manifests derive.
"""

from __future__ import annotations

import graphlib
import hashlib
import re
from collections import defaultdict

from flatrender_schema.pull.render import Block

TOPICS = frozenset(
    {"schema", "types", "domains", "functions", "views", "sequences", "collations", "extensions", "default_privileges"}
)
# The schema's own file sorts first in its directory: the loader reads files in name order, and a
# shadow builds fastest when CREATE SCHEMA comes before the tables in it (no batch broken by them).
TOPIC_FILES = {topic: "_schema" if topic == "schema" else topic for topic in TOPICS}
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
        if stem in TOPIC_FILES.values():
            stem += ".table"
        return f"{directory}/{stem}.sql"
    return f"{directory}/{TOPIC_FILES.get(block.home, block.home)}.sql"


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


# Files fed to the shadow first: what everything else needs (the loader then rarely has to reorder).
_EARLY = ("extensions", "default_privileges", "schema", "collations", "types", "domains", "sequences", "functions")


def feeding_order(
    paths: list[str],
    references: dict[tuple[str, str], set[tuple[str, str]]],
    directory_of: dict[str, str] | None = None,
) -> list[str]:
    """The plain tree's files in an order that builds without retries: schemas and types first, then
    each table's file after the files of the tables its foreign keys reference, views last. Any order
    builds (the shadow reorders and retries); this one only saves it the work at thousands of tables."""

    def path_of(node: tuple[str, str]) -> str:
        return file_for(Block("", node[0], node[1]), directory_of)

    graph: dict[str, set[str]] = {p: set() for p in paths}
    for src, targets in references.items():
        graph.setdefault(path_of(src), set()).update(path_of(t) for t in targets)
    try:
        topo = {p: i for i, p in enumerate(graphlib.TopologicalSorter(graph).static_order())}
    except graphlib.CycleError:
        topo = {p: i for i, p in enumerate(sorted(graph))}

    def rank(path: str) -> tuple[int, int, str]:
        stem = path.rsplit("/", 1)[-1].removesuffix(".sql")
        topic = next((i for i, t in enumerate(_EARLY) if TOPIC_FILES[t] == stem), None)
        if topic is not None:
            return (0, topic, path)
        if stem == "views":
            return (2, 0, path)
        return (1, topo.get(path, 0), path)

    return sorted(paths, key=rank)
