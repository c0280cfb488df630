"""Load what lint reads, tolerating SQL that does not parse.

`desired.load_desired` stops at the first unparsable file, which is right for `plan` and `apply`;
lint must instead report every syntax error as a finding and still check the other files (and the
statements of the broken file that do parse). Manifests and the layout of `schema/` are validated as
strictly as `load_desired` does: bad YAML, an unlisted or missing service directory, an unreadable or
binary file raise `InputError`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pglast import ast, parser
from pglast.enums import VariableSetKind

from flatrender_schema.errors import InputError, Location
from flatrender_schema.layout import ServiceLayout, expand_sql_paths, load_layout, read_text_file
from flatrender_schema.lint.parsing import parse_sql
from flatrender_schema.lint.walk import UNREAD
from flatrender_schema.manifest import (
    ProjectManifest,
    read_yaml,
)

DEFAULT_SEARCH_PATH: tuple[str, ...] = ("$user", "public")


@dataclass(frozen=True, eq=False)
class ParsedStatement:
    """One top-level statement: its AST, where its first token is, and the search_path in force."""

    node: ast.Node
    start: int
    search_path: tuple[str, ...]
    default_path: bool  # True while the file has not set search_path


@dataclass(frozen=True, eq=False)
class ServiceInfo(ServiceLayout):
    """A service as lint sees it: its layout, and the line of each manifest key for findings."""

    __hash__ = object.__hash__  # by identity, as before: a manifest holds lists

    def __eq__(self, other: object) -> bool:
        return self is other

    @cached_property
    def _lines(self) -> dict[tuple[Any, ...], int]:
        try:
            return read_yaml(self.manifest_path)[1]
        except InputError:  # pragma: no cover - the manifest loaded once already
            return {}

    def manifest_location(self, *keys: Any) -> Location:
        """Where `keys` (a path into the YAML document, e.g. ('reads', 0)) is written."""
        for n in range(len(keys), -1, -1):
            line = self._lines.get(tuple(keys[:n]))
            if line is not None:
                return Location.of(self.manifest_path, line, 1)
        return Location.of(self.manifest_path, 1, 1)


@dataclass(frozen=True, eq=False)
class LintFile:
    """One SQL file as lint read it: its text, its service (None for plain SQL) and statements."""

    path: Path
    text: str
    service: ServiceInfo | None
    statements: tuple[ParsedStatement, ...]

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0, *(m.end() for m in re.finditer("\n", self.text))]

    def location(self, offset: int) -> Location:
        """1-based line and column of a character offset into the file."""
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return Location.of(self.path, index + 1, offset - self._line_starts[index] + 1)


@dataclass(frozen=True, eq=False)
class LintSource:
    """Everything one lint run reads: manifests, services, files and the syntax errors met."""

    project: ProjectManifest | None
    project_path: Path | None
    services: tuple[ServiceInfo, ...]
    files: tuple[LintFile, ...]
    syntax_errors: tuple[tuple[Location, str], ...] = ()
    only: frozenset[Path] | None = field(default=None)  # report findings in these files only

    def service_for_schema(self, schema: str | None) -> ServiceInfo | None:
        return next((s for s in self.services if s.schema == schema), None)

    def service_for_role(self, role: str) -> ServiceInfo | None:
        return next((s for s in self.services if s.manifest.role == role), None)


# -- statements ----------------------------------------------------------------------------------

_SKIP = re.compile(r"(?:\s+|--[^\n]*|/\*.*?\*/)*", re.S)


def first_token(text: str, start: int) -> int:
    """Skip whitespace and comments: the offset of the first token at or after `start`."""
    m = _SKIP.match(text, start)
    return m.end() if m else start


def _strings(nodes: Any) -> tuple[str, ...]:
    out: list[str] = []
    for node in nodes or ():
        value = node.val if isinstance(node, ast.A_Const) else node
        if isinstance(value, ast.String):
            out.append(value.sval)
    return tuple(out)


def _set_search_path(stmt: ast.Node) -> tuple[str, ...] | None:
    """The search_path a statement sets (DEFAULT_SEARCH_PATH on RESET), or None if it sets none."""
    if isinstance(stmt, ast.VariableSetStmt):
        if stmt.kind == VariableSetKind.VAR_RESET_ALL:
            return DEFAULT_SEARCH_PATH
        if (stmt.name or "").lower() != "search_path":
            return None
        if stmt.kind == VariableSetKind.VAR_SET_VALUE:
            return tuple(s.strip() for v in _strings(stmt.args) for s in v.split(",") if s.strip())
        if stmt.kind in (VariableSetKind.VAR_SET_DEFAULT, VariableSetKind.VAR_RESET):
            return DEFAULT_SEARCH_PATH
        return None
    # pg_dump's spelling: SELECT pg_catalog.set_config('search_path', '', false);
    if isinstance(stmt, ast.SelectStmt) and stmt.targetList and len(stmt.targetList) == 1:
        call = stmt.targetList[0].val
        if isinstance(call, ast.FuncCall) and call.funcname and call.funcname[-1].sval == "set_config":
            args = _strings(call.args)
            if len(args) >= 2 and args[0] == "search_path":
                return tuple(s.strip().strip('"') for s in args[1].split(",") if s.strip())
    return None


def _blank(text: str) -> str:
    """Keep newlines, blank everything else: parsing `_blank(prefix) + chunk` keeps offsets absolute."""
    return re.sub(r"[^\n]", " ", text)


def parse_file(text: str) -> tuple[list[tuple[ast.Node, int]], list[tuple[int, str]]]:
    """(statement, start offset) pairs and (offset, message) syntax errors, per statement if need be."""
    try:
        raws = parse_sql(text, UNREAD)
        return [(r.stmt, first_token(text, r.stmt_location or 0)) for r in raws], []
    except parser.ParseError:
        pass
    statements: list[tuple[ast.Node, int]] = []
    errors: list[tuple[int, str]] = []
    try:
        chunks = list(parser.split(text, with_parser=False, only_slices=True))
    except parser.ParseError as exc:  # the scanner itself failed (e.g. an unterminated quote)
        offset = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        return [], [(offset, str(exc.args[0]) if exc.args else "syntax error")]
    for chunk in chunks:
        padded = _blank(text[: chunk.start]) + text[chunk]
        try:
            raws = parse_sql(padded, UNREAD)
        except parser.ParseError as exc:
            offset = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else chunk.start
            errors.append((offset, str(exc.args[0]) if exc.args else "syntax error"))
            continue
        statements.extend((r.stmt, first_token(text, r.stmt_location or 0)) for r in raws)
    return statements, errors


def _track_search_path(parsed: list[tuple[ast.Node, int]]) -> tuple[ParsedStatement, ...]:
    path, default = DEFAULT_SEARCH_PATH, True
    out: list[ParsedStatement] = []
    for node, start in parsed:
        out.append(ParsedStatement(node, start, path, default))
        new = _set_search_path(node)
        if new is not None:
            path, default = new, new == DEFAULT_SEARCH_PATH
    return tuple(out)


def load_lint_file(path: Path, service: ServiceInfo | None) -> tuple[LintFile, list[tuple[Location, str]]]:
    text = read_text_file(path)
    parsed, errors = parse_file(text)
    file = LintFile(path, text, service, _track_search_path(parsed))
    return file, [(file.location(offset), f"SQL does not parse: {msg}") for offset, msg in errors]


# -- layout --------------------------------------------------------------------------------------


def _sql_paths(directory: Path) -> list[Path]:
    # Broken symlinks and directories named *.sql are kept: reading them reports the problem.
    return sorted(p for p in directory.glob("*.sql") if not p.name.startswith("."))


def _load_services(schema_dir: Path) -> tuple[ProjectManifest, Path, list[ServiceInfo]]:
    project, project_path, layout = load_layout(schema_dir, _sql_paths)
    return project, project_path, [ServiceInfo(s.name, s.directory, s.manifest, s.manifest_path) for s in layout]


def load_source(schema_dir: Path | None, paths: tuple[Path, ...] = ()) -> LintSource:
    """The manifests and SQL of `schema_dir` (if any) plus the SQL `paths`.

    With both, the whole schema directory is read (rules need every file of a service) and findings
    are reported for `paths` only; a path outside the schema directory is linted as plain SQL.
    """
    project = project_path = None
    services: list[ServiceInfo] = []
    files: list[LintFile] = []
    errors: list[tuple[Location, str]] = []
    known: dict[Path, LintFile | None] = {}
    if schema_dir is not None:
        project, project_path, services = _load_services(schema_dir)
        known[project_path.resolve()] = None
        for service in services:
            known[service.manifest_path.resolve()] = None
            for sql in _sql_paths(service.directory):
                file, errs = load_lint_file(sql, service)
                files.append(file)
                errors.extend(errs)
                known[sql.resolve()] = file
    only: set[Path] = set()
    for path in expand_sql_paths(paths):
        resolved = path.resolve()
        if resolved in known:
            only.add(resolved)
            continue
        file, errs = load_lint_file(path, None)
        files.append(file)
        errors.extend(errs)
        known[resolved] = file
        only.add(resolved)
    return LintSource(project, project_path, tuple(services), tuple(files), tuple(errors),
                      frozenset(only) if schema_dir is not None and paths else None)
