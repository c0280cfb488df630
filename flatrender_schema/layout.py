"""The layout of `schema/`: its manifests validated, its services found, its files read as text.

Shared by the loader (`desired`) and lint, which reads the layout without the loader's statements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

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


def _sql_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.sql") if p.is_file())


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
