"""`schema pull`: an existing database -> files, proved by building them and judging them against live.

`pull_tree` writes (or, with `dry_run`, only shows) the tree; `check_tree` judges an existing tree
against live without writing. Both return a `PullResult`; the CLI renders it.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psycopg
import yaml

from flatrender_schema.catalog import Snapshot
from flatrender_schema.desired import PROJECT_MANIFEST, SERVICE_MANIFEST, Desired, load_desired, load_plain
from flatrender_schema.errors import InputError, Location
from flatrender_schema.pull.keys import SEP, statement_key
from flatrender_schema.pull.layout import feeding_order, group_files, join_statements
from flatrender_schema.pull.prove import live_snapshot, prove, shadow_of
from flatrender_schema.pull.read import LiveCatalog, read_catalog
from flatrender_schema.pull.render import Block, Rendered, render_catalog
from flatrender_schema.pull.services import EXEMPT_REASON, Services, infer_services
from flatrender_schema.pull.tree import merge_tree, split_file, unified_diff
from flatrender_schema.scratch import DevServer
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

LAYOUTS = ("plain", "services")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class PullOptions:
    today: dt.date
    layout: str = "plain"
    ignore: tuple[str, ...] = ()  # fnmatch patterns on schema.name: not written, not judged
    dry_run: bool = False


@dataclass
class PullResult:
    layout: str
    changed: dict[str, str | None] = field(default_factory=dict)  # relative path -> new text; None: removed
    diff: str = ""
    differences: list[str] = field(default_factory=list)  # the proof's: empty when the tree rebuilds live
    notes: list[str] = field(default_factory=list)
    files: int = 0  # files in the tree after the pull

    @property
    def proved(self) -> bool:
        return not self.differences


def detect_layout(out: Path) -> str | None:
    if (out / PROJECT_MANIFEST).is_file():
        return "services"
    if out.is_dir() and any(out.rglob("*.sql")):
        return "plain"
    return None


def load_tree(out: Path, layout: str) -> Desired:
    if layout == "services":
        return load_desired(out)
    if not any(out.rglob("*.sql")):
        return Desired(None)  # an empty database pulls to an empty tree
    return load_plain([out])


def _ignored(cat: LiveCatalog, patterns: tuple[str, ...]) -> LiveCatalog:
    """The catalog without the objects (and their parts) whose `schema.name` matches a pattern."""
    if not patterns:
        return cat

    def hit(schema: str | None, name: str) -> bool:
        return any(fnmatch.fnmatchcase(f"{schema}.{name}", p) for p in patterns)

    dropped = {r["oid"] for r in cat.of("relations") if hit(r["schema"], r["name"])}
    rows = dict(cat.rows)
    for kind in ("relations",):
        rows[kind] = tuple(r for r in cat.of(kind) if r["oid"] not in dropped)
    for kind in ("types", "domains", "collations", "functions"):
        rows[kind] = tuple(r for r in cat.of(kind) if not hit(r["schema"], r["name"]))
    for kind in ("columns", "constraints", "indexes", "triggers", "policies"):
        rows[kind] = tuple(r for r in cat.of(kind) if r["relid"] not in dropped)
    return replace(cat, rows=rows)


def _separate_constraints(out: Path) -> frozenset[str]:
    """Constraints the tree adds with ALTER TABLE ADD CONSTRAINT (a re-pull keeps them there)."""
    found = set()
    for path in sorted(out.rglob("*.sql")):
        for w in split_file(str(path), path.read_text(encoding="utf-8")):
            if w.key and w.key.startswith("constraint:"):
                found.add(".".join(w.key[len("constraint:") :].split(SEP)))
    return frozenset(found)


def _blocks(
    cat: LiveCatalog, layout: str, services: Services | None, separate: frozenset[str]
) -> tuple[list[Block], Rendered]:
    rendered = render_catalog(cat, separate)
    blocks = rendered.blocks
    if services is not None:
        blocks = [b for b in blocks if services.keeps(b)]
    return blocks, rendered


def _manifest_texts(services: Services, existing: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """schema.yaml and each service.yaml, and the tables still exempt from tenant_id with the placeholder
    reason; what a user wrote there (descriptions, reasons, renames, reference data) is kept, only what
    is read from live is replaced."""
    placeholders: list[str] = []
    out = {}
    old_project = _yaml(existing.get(PROJECT_MANIFEST))
    project = dict(services.project)
    for key in ("postgres", "renames"):
        if key in old_project:
            project[key] = old_project[key]
    project["ignore"] = sorted(set(old_project.get("ignore") or ()) | set(project["ignore"]))
    if set(old_project.get("services") or ()) == set(project["services"]):
        project["services"] = list(old_project["services"])  # the user's order (the order plans list them in)
    out[PROJECT_MANIFEST] = _dump(project, old_project, existing.get(PROJECT_MANIFEST))
    for directory, manifest in services.services.items():
        path = f"{directory}/{SERVICE_MANIFEST}"
        old = _yaml(existing.get(path))
        merged = dict(manifest)
        if old.get("description"):
            merged = {
                "schema": manifest["schema"],
                "role": manifest["role"],
                "description": old["description"],
                **{k: v for k, v in manifest.items() if k not in ("schema", "role")},
            }
        if set(old.get("reads") or ()) == set(merged.get("reads") or ()) and "reads" in merged:
            merged["reads"] = list(old["reads"])  # the user's order
        if "tenant_exempt" in merged:
            reasons = old.get("tenant_exempt") or {}
            merged["tenant_exempt"] = {t: reasons.get(t, r) for t, r in merged["tenant_exempt"].items()}
            exempt = merged["tenant_exempt"].items()
            placeholders += [f"{manifest['schema']}.{t}" for t, r in exempt if r == EXEMPT_REASON]
        if old.get("reference_data"):
            merged["reference_data"] = old["reference_data"]
        out[path] = _dump(merged, old, existing.get(path))
    return out, placeholders


def _yaml(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _dump(data: dict[str, Any], old: dict[str, Any], old_text: str | None) -> str:
    if old_text is not None and data == old:
        return old_text  # the same content: the user's file, comments and all
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120)


def _read_tree(out: Path) -> dict[str, str]:
    if not out.is_dir():
        return {}
    files = {}
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.suffix in (".sql", ".yaml"):
            files[path.relative_to(out).as_posix()] = path.read_text(encoding="utf-8")
    return files


def _file_count(out: Path) -> int:
    return sum(1 for p in out.rglob("*") if p.suffix in (".sql", ".yaml") and p.is_file()) if out.is_dir() else 0


def _write(out: Path, changed: dict[str, str | None]) -> None:
    for rel, text in sorted(changed.items()):
        path = out / rel
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def pull_tree(
    live: psycopg.Connection, out: Path, dev: DevServer, options: PullOptions, progress: Progress = lambda _: None
) -> PullResult:
    """Write live's schema as files under `out` (a re-pull edits an existing tree), then prove them."""
    if options.layout not in LAYOUTS:
        raise InputError(f"--layout must be one of {', '.join(LAYOUTS)}")
    existing_layout = detect_layout(out)
    if existing_layout is not None and existing_layout != options.layout:
        raise InputError(
            f"the tree holds the {existing_layout} layout, not {options.layout}",
            Location.of(out),
            hint=f"pass --layout {existing_layout}, or pull into another directory",
        )
    if out.exists() and not out.is_dir():
        raise InputError("not a directory", Location.of(out))
    progress("reading live's catalogs")
    with live_snapshot(live) as live_snap:  # the judge's, read while the files are written
        return _pull(live, out, dev, options, progress, existing_layout, live_snap)


def _pull(
    live: psycopg.Connection, out: Path, dev: DevServer, options: PullOptions, progress: Progress,
    existing_layout: str | None, live_snap: Callable[[], Snapshot],
) -> PullResult:
    cat = _ignored(read_catalog(live, tuple(ALWAYS_EXCLUDED)), options.ignore)
    result = PullResult(options.layout)
    services = infer_services(cat, options.today, options.ignore) if options.layout == "services" else None
    if services is not None:
        result.notes.extend(services.notes)
    directory_of = services.directory_of if services else None
    existing = _read_tree(out)
    existing_sql = {p: t for p, t in existing.items() if p.endswith(".sql")}

    if existing_layout is not None:
        progress("building the existing tree to see what changed")
        separate = _separate_constraints(out)
        tree = load_tree(out, options.layout)
        with shadow_of(live, tree, dev, options.today) as shadow:
            shadow_cat = _ignored(read_catalog(shadow, tuple(ALWAYS_EXCLUDED)), options.ignore)
        shadow_blocks, _ = _blocks(shadow_cat, options.layout, services, separate)
        shadow_sql: dict[str, str] = {}
        for b in shadow_blocks:
            key = statement_key(b.sql)
            if key is not None:
                shadow_sql.setdefault(key, b.compared)
        blocks, rendered = _blocks(cat, options.layout, services, separate)
        changed, merge_notes = merge_tree(existing_sql, group_files(blocks, directory_of), shadow_sql)
        result.notes.extend(rendered.notes + merge_notes)
    else:
        blocks, rendered = _blocks(cat, options.layout, services, frozenset())
        result.notes.extend(rendered.notes)
        changed = {path: join_statements([b.sql for b in bs]) for path, bs in group_files(blocks, directory_of).items()}
    if services is not None:
        texts, exempt = _manifest_texts(services, existing)
        for path, text in texts.items():
            if existing.get(path) != text:
                changed[path] = text
        if exempt:
            result.notes.append(f"tenant_exempt without a reason yet (edit service.yaml): {', '.join(exempt)}")
    result.changed = changed
    result.diff = unified_diff(existing, changed)

    progress("proving the files: building them and judging against live")
    if options.dry_run:
        with tempfile.TemporaryDirectory(prefix="frs-pull-") as tmp:
            target = Path(tmp) / "tree"
            if out.is_dir():
                shutil.copytree(out, target)
            _write(target, changed)
            tree = _proof_tree(target, options.layout, rendered, directory_of)
            result.differences = prove(live, tree, dev, options.today, options.ignore, live_snap)
            result.files = _file_count(target)
    else:
        _write(out, changed)
        tree = _proof_tree(out, options.layout, rendered, directory_of)
        result.differences = prove(live, tree, dev, options.today, options.ignore, live_snap)
        result.files = _file_count(out)
    result.differences = [_sides(d) for d in result.differences]
    return result


def _proof_tree(out: Path, layout: str, rendered: Rendered, directory_of: dict[str, str] | None) -> Desired:
    """The written tree, loaded; a plain tree's files fed in dependency order (same files, same
    statements: only the shadow's work of reordering them is saved)."""
    paths = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.sql")) if out.is_dir() else []
    if layout != "plain" or not paths:
        return load_tree(out, layout)
    return load_plain([out / p for p in feeding_order(paths, rendered.references, directory_of)])


def check_tree(live: psycopg.Connection, out: Path, dev: DevServer, options: PullOptions) -> PullResult:
    """Judge an existing tree against live, writing nothing: the drift report of a scheduled job."""
    layout = detect_layout(out)
    if layout is None:
        raise InputError(
            "no pulled tree here (no schema.yaml, no .sql files)",
            Location.of(out),
            hint="run schema pull --out DIR first",
        )
    result = PullResult(layout)
    result.differences = [_sides(d) for d in prove(live, load_tree(out, layout), dev, options.today, options.ignore)]
    result.files = _file_count(out)
    return result


def _sides(difference: str) -> str:
    return difference.replace(": only in first: ", ": only in live: ").replace(
        ": only in second: ", ": only in the files: "
    )
