"""Load the desired state: manifests + SQL files -> one immutable `Desired` value."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pglast import parser

from flatrender_schema.conversions import Column, Conversion, annotations, by_column
from flatrender_schema.errors import InputError, Location
from flatrender_schema.manifest import (
    ProjectManifest,
    ServiceManifest,
    load_project_manifest,
    load_service_manifest,
)

PROJECT_MANIFEST = "schema.yaml"
SERVICE_MANIFEST = "service.yaml"


@dataclass(frozen=True)
class Statement:
    """One SQL statement as written, with where it was written."""

    sql: str
    location: Location
    service: str | None = None


@dataclass(frozen=True)
class SqlFile:
    path: Path
    text: str
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class ServiceLayout:
    """A service's place in `schema/` and its validated manifest (its SQL not yet read); lint's
    `ServiceInfo` adds where each manifest key is written."""

    name: str
    directory: Path
    manifest: ServiceManifest
    manifest_path: Path

    @property
    def schema(self) -> str:
        return self.manifest.schema_


@dataclass(frozen=True)
class Service(ServiceLayout):
    """A service with its SQL files read."""

    files: tuple[SqlFile, ...]

    @property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(s for f in self.files for s in f.statements)


@dataclass(frozen=True)
class Desired:
    """The desired state. `project` is None in plain-SQL mode (`--desired`), where no manifest applies."""

    project: ProjectManifest | None
    services: tuple[Service, ...] = ()
    loose_files: tuple[SqlFile, ...] = ()
    root: Path | None = None
    sources: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (relative path, text)
    # `-- @using` annotations of plain SQL files (flatrender_schema/conversions.py)
    annotated_conversions: tuple[Conversion, ...] = ()

    @property
    def files(self) -> tuple[SqlFile, ...]:
        return tuple(f for s in self.services for f in s.files) + self.loose_files

    @property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(s for f in self.files for s in f.statements)

    @property
    def managed_schemas(self) -> tuple[str, ...]:
        return tuple(s.schema for s in self.services)

    @property
    def conversions(self) -> dict[Column, Conversion]:
        """Declared type conversions by column: schema.yaml's, the services', the SQL annotations."""
        declared = list(self.annotated_conversions)
        if self.project is not None:
            where = Location.of(self.root / PROJECT_MANIFEST) if self.root else None
            for c in self.project.conversions:
                schema, table, column = c.column.split(".")
                declared.append(Conversion((schema, table, column), c.using, where))
            for svc in self.services:
                for local, using in svc.manifest.conversions.items():
                    table, column = local.split(".")
                    declared.append(Conversion((svc.schema, table, column), using, Location.of(svc.manifest_path)))
        return by_column(tuple(declared))

    def service_for_schema(self, schema: str) -> Service | None:
        return next((s for s in self.services if s.schema == schema), None)

    def fingerprint(self) -> str:
        """A digest of every input file (names and content), stable across checkouts."""
        import hashlib  # here, not at the top: `schema lint` reads layouts and never hashes

        h = hashlib.sha256()
        for name, text in sorted(self.sources):
            h.update(name.encode() + b"\0" + text.encode() + b"\0")
        return "sha256:" + h.hexdigest()


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def parse_sql_text(text: str, path: Path, service: str | None = None) -> tuple[Statement, ...]:
    """Split a file into statements with their 1-based line and column, or raise with the error's place."""
    try:
        # Slices only: the parser validates the whole text in C without building Python trees
        # (0.03 s instead of 1.9 s for a 2,000-table file).
        slices = parser.split(text, with_parser=True, only_slices=True)
    except parser.ParseError as exc:
        message = str(exc.args[0]) if exc.args else "syntax error"
        offset = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        line, col = _line_col(text, min(offset, len(text)))
        raise InputError(f"SQL does not parse: {message}", Location.of(path, line, col)) from None
    out = []
    # Lines are counted incrementally from the previous statement: counting from the top each time is
    # quadratic (seconds for a 2,000-table file).
    line_no, counted_to = 1, 0
    for piece in slices:
        body = text[piece]
        at = piece.start + len(body) - len(body.lstrip())  # the statement's first token
        line_no += text.count("\n", counted_to, at)
        counted_to = at
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        out.append(Statement(body.strip(), Location.of(path, line_no, col), service))
    return tuple(out)


def read_text_file(path: Path) -> str:
    if path.exists() and not path.is_file() and not path.is_dir():
        # A FIFO would block the read forever; a device or socket is no SQL either.
        raise InputError("not a regular file (a FIFO, socket or device)", Location.of(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", Location.of(path)) from None
    if b"\0" in data:
        raise InputError("binary file, not SQL text", Location.of(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError("not UTF-8 text", Location.of(path, line)) from None


def load_sql_file(path: Path, service: str | None = None) -> SqlFile:
    text = read_text_file(path)
    return SqlFile(path, text, parse_sql_text(text, path, service))


def _sql_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.sql") if p.is_file())


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def load_layout(
    schema_dir: Path, sql_paths: Callable[[Path], list[Path]] | None = None
) -> tuple[ProjectManifest, Path, list[ServiceLayout]]:
    """Validate the layout of `schema/` and its manifests: shared by the loader and lint."""
    list_sql = sql_paths or _sql_files
    if not schema_dir.is_dir():
        raise InputError(
            "schema directory not found", Location.of(schema_dir), hint="pass --schema-dir, --desired or SQL files"
        )
    project_path = schema_dir / PROJECT_MANIFEST
    if not project_path.is_file():
        raise InputError(f"missing {PROJECT_MANIFEST}", Location.of(project_path))
    project = load_project_manifest(project_path)

    listed = set(project.services)
    for child in sorted(p for p in schema_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if child.name not in listed and (list_sql(child) or (child / SERVICE_MANIFEST).exists()):
            raise InputError(
                f"directory {child.name}/ is not listed under `services` in {PROJECT_MANIFEST}",
                Location.of(child),
                hint="add it to services, or move it out of the schema directory",
            )

    services: list[ServiceLayout] = []
    owners: dict[str, Path] = {}
    roles: dict[str, Path] = {}
    for name in project.services:
        directory = schema_dir / name
        manifest_path = directory / SERVICE_MANIFEST
        if not directory.is_dir():
            raise InputError(f"service {name!r} is listed but {name}/ does not exist", Location.of(project_path))
        if not manifest_path.is_file():
            raise InputError(
                f"service directory without {SERVICE_MANIFEST}",
                Location.of(directory),
                hint=f"create {name}/{SERVICE_MANIFEST} (see docs/manifests.md)",
            )
        manifest = load_service_manifest(manifest_path)
        if manifest.schema_ in owners:
            raise InputError(
                f"schema {manifest.schema_!r} is already claimed by {owners[manifest.schema_]}",
                Location.of(manifest_path, 1),
                hint="each service owns exactly one schema",
            )
        if manifest.role in roles:
            raise InputError(
                f"role {manifest.role!r} is already used by {roles[manifest.role]}",
                Location.of(manifest_path, 1),
            )
        owners[manifest.schema_] = manifest_path
        roles[manifest.role] = manifest_path
        services.append(ServiceLayout(name, directory, manifest, manifest_path))
    return project, project_path, services


def load_desired(schema_dir: Path) -> Desired:
    """Load `schema/`: the project manifest, each service's manifest and SQL files."""
    project, project_path, layout = load_layout(schema_dir)
    sources = [(PROJECT_MANIFEST, project_path.read_text(encoding="utf-8"))]
    services: list[Service] = []
    for svc in layout:
        sources.append((_relative(svc.manifest_path, schema_dir), svc.manifest_path.read_text(encoding="utf-8")))
        files = tuple(load_sql_file(p, svc.name) for p in _sql_files(svc.directory))
        sources.extend((_relative(f.path, schema_dir), f.text) for f in files)
        services.append(Service(svc.name, svc.directory, svc.manifest, svc.manifest_path, files))
    desired = Desired(project, tuple(services), (), schema_dir, tuple(sources))
    desired.conversions  # noqa: B018  (a column declared twice is an error now, at load)
    return desired


def expand_sql_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """SQL files named directly or found under directories (shared by the loader and lint).

    A broken symlink is kept: reading it reports the problem at its path.
    """
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.sql") if p.is_file())
            if not found:
                raise InputError("no .sql files in this directory", Location.of(path))
            yield from found
        elif path.exists() or path.is_symlink():
            yield path
        else:
            raise InputError("no such file or directory", Location.of(path))


def load_plain(paths: Iterable[Path]) -> Desired:
    """`--desired`: plain SQL files or directories, no manifests, no FlatRender rules."""
    files = tuple(load_sql_file(p) for p in expand_sql_paths(paths))
    annotated = tuple(c for f in files for c in annotations(f.text, f.path))
    desired = Desired(None, (), files, None, tuple((str(f.path), f.text) for f in files), annotated)
    desired.conversions  # noqa: B018  (a column declared twice is an error now, at load)
    return desired
