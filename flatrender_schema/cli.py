"""The `schema` command: a thin shell over the library. Parse, call, render, map to exit codes."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from flatrender_schema.errors import SchemaError
from flatrender_schema.redact import redact

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Schema as code for PostgreSQL: lint, plan and apply the desired state under schema/.",
)
dev_app = typer.Typer(no_args_is_help=True, help="The local embedded database (the default target).")
app.add_typer(dev_app, name="dev")

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2

SchemaDir = Annotated[Path, typer.Option("--schema-dir", help="Directory holding schema.yaml and services.")]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="DATABASE_URL",
        show_envvar=True,
        help="The target database. Default: the local embedded database.",
    ),
]
DevUrl = Annotated[
    str | None,
    typer.Option(
        "--dev-url",
        envvar="SCHEMA_DEV_URL",
        show_envvar=True,
        help="A server for scratch databases. Default: an ephemeral embedded cluster.",
    ),
]
DesiredPaths = Annotated[
    list[Path] | None,
    typer.Option("--desired", help="Plain SQL files or directories instead of schema/ (repeatable)."),
]
Engine = Annotated[str, typer.Option("--engine", help="Diff engine: results (default) or migra.")]
ReuseShadow = Annotated[
    bool,
    typer.Option(
        "--reuse-shadow",
        envvar="SCHEMA_REUSE_SHADOW",
        help="Keep the shadow database on the dev server between plans (with a persistent --dev-url).",
    ),
]
Now = Annotated[
    str | None,
    typer.Option("--now", help="The date partitions are planned from (YYYY-MM-DD). Default: today."),
]


def _fail(exc: BaseException) -> NoReturn:
    typer.echo(f"error: {redact(str(exc))}", err=True)
    raise typer.Exit(EXIT_ERROR)


def _today(now: str | None) -> dt.date:
    if not now:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(now)
    except ValueError:
        _fail(SchemaError(f"--now {now!r} is not a date written YYYY-MM-DD"))


def _progress(quiet: bool = False):  # type: ignore[no-untyped-def]
    """Phases and their times on stderr, when it is a terminal and not CI (see `progress`)."""
    from flatrender_schema.progress import TerminalProgress

    return TerminalProgress(sys.stderr, enabled=False if quiet else None)


def _load(schema_dir: Path, desired: list[Path] | None):  # type: ignore[no-untyped-def]
    from flatrender_schema.desired import load_desired, load_plain

    return load_plain(desired) if desired else load_desired(schema_dir)


@dataclass
class _Planning:
    """What `plan` and `apply` plan with: the desired state, the engine, live and a scratch server."""

    state: Any
    engine: Any
    live: Any
    dev: Any
    options: Any

    def plan(self, progress: Callable[[str], None] = lambda _: None):  # type: ignore[no-untyped-def]
        from flatrender_schema.planner import build_plan

        return build_plan(self.live, self.state, self.dev, self.engine, self.options, progress)


@contextlib.contextmanager
def _planning(
    state: Any,
    engine: str,
    database_url: str | None,
    dev_url: str | None,
    now: str | None,
    reuse_shadow: bool,
    progress: Callable[[str], None] = lambda _: None,
) -> Iterator[_Planning]:
    """Connect to live and start (or reach) the scratch server its major needs, for one or more plans."""
    from flatrender_schema.citus.shadow import dev_settings as citus_dev_settings
    from flatrender_schema.engine import get_engine
    from flatrender_schema.planner import PlanOptions
    from flatrender_schema.postgres.connect import connection
    from flatrender_schema.targets import dev_server, resolve_target

    chosen = get_engine(engine)
    with connection(resolve_target(database_url, Path.cwd()), autocommit=True) as live:
        major = live.info.server_version // 10000
        if dev_url is None:
            progress("starting a scratch PostgreSQL server")
        with dev_server(dev_url, major, citus_dev_settings(state, major)) as dev:  # Citus: citus/shadow.py
            yield _Planning(state, chosen, live, dev, PlanOptions(_today(now), reuse_shadow=reuse_shadow))


@app.command()
def lint(
    paths: Annotated[list[Path] | None, typer.Argument(help="Extra SQL files to lint.")] = None,
    schema_dir: SchemaDir = Path("schema"),
    fmt: Annotated[str, typer.Option("--format", help="text, json, github or sarif.")] = "text",
    select: Annotated[list[str] | None, typer.Option("--select", help="Only these rule codes.")] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="Skip these rule codes.")] = None,
) -> None:
    """Check the desired state offline: FlatRender's rules and SQL syntax, as file:line:col CODE message."""
    from flatrender_schema.lint import FORMATS, LintOptions, render_report, run_lint

    if fmt not in FORMATS:
        _fail(SchemaError(f"--format must be one of {', '.join(FORMATS)}"))
    try:
        only_files = bool(paths) and not schema_dir.exists()
        report = run_lint(
            None if only_files else schema_dir,
            tuple(paths or ()),
            LintOptions(frozenset(select or ()), frozenset(ignore or ())),
        )
    except SchemaError as exc:
        _fail(exc)
    typer.echo(render_report(report, fmt))
    raise typer.Exit(EXIT_OK if report.clean else EXIT_ERROR)


@app.command()
def plan(
    schema_dir: SchemaDir = Path("schema"),
    database_url: DatabaseUrl = None,
    dev_url: DevUrl = None,
    desired: DesiredPaths = None,
    engine: Engine = "results",
    fmt: Annotated[str, typer.Option("--format", help="text, sql, json or markdown.")] = "text",
    out: Annotated[Path | None, typer.Option("--out", help="Also write the plan as JSON to this file.")] = None,
    now: Now = None,
    reuse_shadow: ReuseShadow = False,
    targets: Targets = None,
    select: Select = None,
    parallel: Parallel = 4,
) -> None:
    """Show what would change: desired state vs the live database. Exit 0 no changes, 2 changes, 1 error."""
    from flatrender_schema.render import RENDERERS

    if targets is not None:
        _fleet_plan(
            _FleetArgs(schema_dir, targets, select, parallel, dev_url, desired, engine, now, reuse_shadow), fmt, out
        )
    if fmt not in RENDERERS:
        _fail(SchemaError(f"--format must be one of {', '.join(RENDERERS)}"))
    try:
        state = _load(schema_dir, desired)
        with _progress() as progress, _planning(state, engine, database_url, dev_url, now, reuse_shadow, progress) as p:
            the_plan = p.plan(progress)
        if out is not None:
            out.write_text(the_plan.to_json(), encoding="utf-8")
    except (SchemaError, OSError) as exc:
        _fail(exc)
    typer.echo(RENDERERS[fmt](the_plan))
    raise typer.Exit(EXIT_OK if the_plan.empty else EXIT_CHANGES)


@app.command()
def apply(
    schema_dir: SchemaDir = Path("schema"),
    database_url: DatabaseUrl = None,
    dev_url: DevUrl = None,
    desired: DesiredPaths = None,
    engine: Engine = "results",
    plan_file: Annotated[Path | None, typer.Option("--plan", help="Apply exactly this plan file.")] = None,
    allow_hazard: Annotated[
        list[str] | None, typer.Option("--allow-hazard", help="Allow a data-loss hazard code (or 'all').")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Run everything in a transaction that is rolled back.")
    ] = False,
    lock_timeout: Annotated[str, typer.Option("--lock-timeout", help="Per statement, e.g. 5s.")] = "5s",
    statement_timeout: Annotated[str, typer.Option("--statement-timeout", help="Per statement; 0: none.")] = "0",
    lock_retries: Annotated[int, typer.Option("--lock-retries", help="Retries after a lock timeout.")] = 3,
    lock_wait: Annotated[
        float, typer.Option("--lock-wait", help="Seconds to wait for another apply on this database.")
    ] = 60.0,
    actor: Annotated[
        str | None, typer.Option("--actor", envvar="SCHEMA_ACTOR", help="Who applies (recorded in history).")
    ] = None,
    ignore_desired_mismatch: Annotated[
        bool, typer.Option("--ignore-desired-mismatch", help="Apply a plan made from other schema files.")
    ] = False,
    now: Now = None,
    reuse_shadow: ReuseShadow = False,
    targets: Targets = None,
    select: Select = None,
    parallel: Parallel = 4,
    canary: Canary = None,
) -> None:
    """Converge the live database to the desired state. Exit 0 converged, 1 refused or failed."""
    from flatrender_schema.apply import ApplyOptions, apply_lock, apply_plan
    from flatrender_schema.plan import Plan
    from flatrender_schema.render import render_text

    options = ApplyOptions(
        allow_hazards=frozenset(allow_hazard or ()),
        lock_timeout=lock_timeout,
        statement_timeout=statement_timeout,
        lock_retries=lock_retries,
        apply_lock_wait=lock_wait,
        actor=actor,
        dry_run=dry_run,
    )
    if targets is not None:
        fleet_args = _FleetArgs(schema_dir, targets, select, parallel, dev_url, desired, engine, now, reuse_shadow)
        _fleet_apply(fleet_args, options, plan_file, canary, yes, ignore_desired_mismatch)
    try:
        state = _load(schema_dir, desired)
        given = Plan.from_json(plan_file.read_text(encoding="utf-8"), str(plan_file)) if plan_file else None
        if given is not None and given.desired_fingerprint != state.fingerprint() and not ignore_desired_mismatch:
            _fail(
                SchemaError(
                    f"{plan_file}: the plan was made from other schema files than the ones checked out here",
                    hint="plan again from these files, or pass --ignore-desired-mismatch",
                )
            )
        with _planning(state, engine, database_url, dev_url, now, reuse_shadow) as planning:
            live = planning.live
            with apply_lock(live, lock_wait):
                # Planning under the apply lock: a concurrent apply finishes first, and this one then
                # finds nothing (or only what is left) to do.
                with _progress() as progress:
                    the_plan = given or planning.plan(progress)
                typer.echo(render_text(the_plan))
                if the_plan.empty:
                    raise typer.Exit(EXIT_OK)
                if not yes and given is None and not dry_run and sys.stdin.isatty():
                    if not typer.confirm("Apply these changes?", default=False):
                        typer.echo("Nothing applied.")
                        raise typer.Exit(EXIT_ERROR)
                with _progress() as progress:
                    result = apply_plan(live, the_plan, options, progress)
                if dry_run:
                    slow = ", ".join(f"step {n} {sec:.2f} s" for n, sec in result.step_seconds[:3])
                    typer.echo(f"Dry run: all {result.steps_done} steps ran and were rolled back. Slowest: {slow}.")
                    raise typer.Exit(EXIT_OK)
                retried = f" ({result.retries} lock retries)" if result.retries else ""
                typer.echo(f"Applied {result.steps_done} steps{retried}.")
                after = planning.plan()
                if not after.empty:
                    _fail(SchemaError(f"apply did not converge; still pending:\n{render_text(after)}"))
        typer.echo("Converged: the database matches the desired state.")
    except (SchemaError, OSError) as exc:
        _fail(exc)


# -- fleets: plan and apply over the targets of targets.yaml (flatrender_schema.fleet) -------------

Targets = Annotated[
    str | None,
    typer.Option(
        "--targets",
        help="Plan/apply every target of this targets file (`--targets` alone: <schema-dir>/targets.yaml).",
    ),
]
Select = Annotated[
    list[str] | None, typer.Option("--select", help="With --targets: only targets labelled key=value (repeatable).")
]
Parallel = Annotated[int, typer.Option("--parallel", min=1, max=64, help="With --targets: targets at a time.")]
Canary = Annotated[
    list[str] | None,
    typer.Option("--canary", help="With --targets: the first wave, a target name or key=value (default: the first)."),
]


@dataclass(frozen=True)
class _FleetArgs:
    schema_dir: Path
    targets: str
    select: list[str] | None
    parallel: int
    dev_url: str | None
    desired: list[Path] | None
    engine: str
    now: str | None
    reuse_shadow: bool

    def load(self):  # type: ignore[no-untyped-def]
        from flatrender_schema.engine import get_engine
        from flatrender_schema.fleet.manifest import TARGETS_FILE, load_fleet
        from flatrender_schema.fleet.planning import FleetOptions

        path = Path(self.targets) if self.targets else self.schema_dir / TARGETS_FILE
        if not path.exists():
            raise SchemaError(
                f"{path}: no targets file", hint="write one (README: Many databases) or pass --targets FILE"
            )
        fleet = load_fleet(path).select(self.select or ())
        options = FleetOptions(_today(self.now), self.parallel, self.dev_url, self.reuse_shadow)
        return fleet, _load(self.schema_dir, self.desired), get_engine(self.engine), options


def _fleet_plan(args: _FleetArgs, fmt: str, out: Path | None) -> NoReturn:
    from flatrender_schema.fleet.planning import plan_fleet
    from flatrender_schema.fleet.report import FLEET_RENDERERS

    if fmt not in FLEET_RENDERERS:
        _fail(SchemaError(f"--format with --targets must be one of {', '.join(FLEET_RENDERERS)}"))
    try:
        fleet, state, chosen, options = args.load()
        fleet_plan = plan_fleet(fleet, state, chosen, options, _progress(False))
        if out is not None:
            out.write_text(fleet_plan.to_json(), encoding="utf-8")
    except (SchemaError, OSError) as exc:
        _fail(exc)
    typer.echo(FLEET_RENDERERS[fmt](fleet_plan))
    raise typer.Exit(fleet_plan.exit_code)


def _fleet_apply(
    args: _FleetArgs, options, plan_file: Path | None, canary: list[str] | None, yes: bool, ignore_mismatch: bool
) -> NoReturn:  # type: ignore[no-untyped-def]
    from flatrender_schema.fleet.planning import plan_fleet, read_fleet_plan
    from flatrender_schema.fleet.report import render_fleet_text, render_rollout_text
    from flatrender_schema.fleet.rollout import RolloutOptions, apply_fleet

    progress = _progress(False)
    try:
        fleet, state, chosen, fleet_options = args.load()
        reviewed = None
        if plan_file is not None:
            reviewed = read_fleet_plan(plan_file.read_text(encoding="utf-8"), str(plan_file), fleet)
        elif not yes and not options.dry_run and sys.stdin.isatty():
            # Asked on a terminal: what is shown is what is applied, each target refusing drift.
            reviewed = plan_fleet(fleet, state, chosen, fleet_options, progress)
            typer.echo(render_fleet_text(reviewed))
            if not typer.confirm("Apply these changes?", default=False):
                typer.echo("Nothing applied.")
                raise typer.Exit(EXIT_ERROR)
        rollout = apply_fleet(
            fleet, state, chosen, fleet_options, RolloutOptions(options, tuple(canary or ()), ignore_mismatch),
            reviewed, progress,
        )
    except (SchemaError, OSError) as exc:
        _fail(exc)
    typer.echo(render_rollout_text(rollout))
    raise typer.Exit(rollout.exit_code)


def _default_targets_file(argv: list[str]) -> list[str]:
    """`--targets` written without a file means the schema directory's targets.yaml."""
    out = list(argv)
    for i, arg in enumerate(out):
        if arg == "--targets" and (i + 1 == len(out) or out[i + 1].startswith("-")):
            out.insert(i + 1, "")
            break
    return out


@app.command()
def bootstrap(
    schema_dir: SchemaDir = Path("schema"),
    database_url: DatabaseUrl = None,
    deploy_user: Annotated[
        str | None, typer.Option("--deploy-user", help="A login role to make a member of the owner role.")
    ] = None,
    execute: Annotated[bool, typer.Option("--execute", help="Run it (as a superuser) instead of printing it.")] = False,
) -> None:
    """The one-time superuser step: declared roles, and the owner's right to create in the database."""
    from psycopg import conninfo

    from flatrender_schema.declare import bootstrap_statements
    from flatrender_schema.postgres.connect import connection
    from flatrender_schema.targets import resolve_target

    try:
        state = _load(schema_dir, None)
        url = resolve_target(database_url, Path.cwd())
        dbname = conninfo.conninfo_to_dict(url).get("dbname") or "postgres"
        with connection(url, autocommit=True) as conn:
            statements = [s.as_string(conn) + ";" for s in bootstrap_statements(state, str(dbname), deploy_user)]
            if not statements:
                _fail(SchemaError("schema.yaml declares no owner role: nothing to bootstrap"))
            if execute:
                with conn.transaction():
                    for stmt in statements:
                        conn.execute(stmt.encode())
    except SchemaError as exc:
        _fail(exc)
    typer.echo("\n".join(statements))
    if execute:
        typer.echo(f"-- bootstrapped {len(statements)} statements")


# -- schema pull: adopt an existing database ------------------------------------------------------


@app.command()
def pull(
    out: Annotated[Path, typer.Option("--out", help="The directory to write (or, re-pulled, to update).")],
    database_url: DatabaseUrl = None,
    dev_url: DevUrl = None,
    layout: Annotated[str, typer.Option("--layout", help="plain (a directory per schema) or services.")] = "plain",
    check: Annotated[bool, typer.Option("--check", help="Judge the existing tree against live; no writes.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the file changes as a diff; no writes.")] = False,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Leave out objects matching schema.name (fnmatch, repeatable).")
    ] = None,
    now: Now = None,
) -> None:
    """Write an existing database as files, proved by building them and judging them against live.

    Exit 0 proved, 1 not reproduced (the differences are listed) or an error."""
    from flatrender_schema.postgres.connect import connection
    from flatrender_schema.pull import PullOptions, check_tree, pull_tree
    from flatrender_schema.pull.report import render_result
    from flatrender_schema.targets import dev_server, resolve_target

    options = PullOptions(_today(now), layout, tuple(ignore or ()), dry_run)
    try:
        url = resolve_target(database_url, Path.cwd())
        with connection(url, autocommit=True) as live, dev_server(dev_url, live.info.server_version // 10000) as dev:
            if check:
                result = check_tree(live, out, dev, options)
            else:
                result = pull_tree(live, out, dev, options, _progress(False))
    except (SchemaError, OSError) as exc:
        _fail(exc)
    typer.echo(render_result(result, out, check=check, dry_run=dry_run))
    raise typer.Exit(EXIT_OK if result.proved else EXIT_ERROR)


@app.command()
def docs(
    schema_dir: SchemaDir = Path("schema"),
    dev_url: DevUrl = None,
    desired: DesiredPaths = None,
    out: Annotated[Path, typer.Option("--out", help="Directory for the docs.")] = Path("docs/schema"),
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 naming the files that are stale.")
    ] = False,
) -> None:
    """Pages per service, Mermaid and SVG diagrams, tbls-format JSON, from the desired state as the
    shadow builds it. Exit 0 written or current, 1 stale (--check) or error."""
    from flatrender_schema.docs.dot import find_dot
    from flatrender_schema.docs.files import check_docs, doc_files, generate_docs
    from flatrender_schema.docs.source import document
    from flatrender_schema.targets import dev_server

    try:
        state = _load(schema_dir, desired)
        floor = state.project.postgres if state.project is not None else 15
        with dev_server(dev_url, floor) as dev:
            db = document(state, dev)
        if check:
            files = doc_files(db)
            stale = check_docs(out, files)
            for path in stale:
                typer.echo(f"stale: {out / path}", err=True)
            if stale:
                typer.echo(f"{len(stale)} file(s) of {out} do not match the desired state: run `schema docs`",
                           err=True)
                raise typer.Exit(EXIT_ERROR)
            typer.echo(f"{out}: current ({len(files)} files)")
            raise typer.Exit(EXIT_OK)
        report = generate_docs(out, db, find_dot())
    except (SchemaError, OSError) as exc:
        _fail(exc)
    for note in report.notes:
        typer.echo(f"note: {note}", err=True)
    typer.echo(f"{out}: {len(report.written)} written, {len(report.unchanged)} unchanged"
               + (f", {len(report.removed)} removed" if report.removed else ""))


@dev_app.command("up")
def dev_up() -> None:
    """Start the local embedded database (created on first use under .schema/)."""
    from flatrender_schema.targets import local_target_url

    try:
        url = local_target_url(Path.cwd())
    except SchemaError as exc:
        _fail(exc)
    typer.echo(f"local database running: {url}")


@dev_app.command("down")
def dev_down(
    purge: Annotated[bool, typer.Option("--purge", help="Also delete its data directory.")] = False,
) -> None:
    """Stop the local embedded database."""
    from flatrender_schema.targets import local_cluster

    try:
        cluster = local_cluster(Path.cwd())
        cluster.stop()
        if purge:
            cluster.remove()
            shutil.rmtree(Path.cwd() / ".schema", ignore_errors=True)
    except SchemaError as exc:
        _fail(exc)
    typer.echo("local database stopped" + (" and removed" if purge else ""))


@dev_app.command("url")
def dev_url_cmd() -> None:
    """Print the local database's URL (starting it if needed)."""
    dev_up()


@dev_app.command("psql")
def dev_psql() -> None:
    """Open psql on the local database."""
    from flatrender_schema.targets import LOCAL_DATABASE, local_cluster, local_target_url

    try:
        local_target_url(Path.cwd())
        cluster = local_cluster(Path.cwd())
    except SchemaError as exc:
        _fail(exc)
    psql = shutil.which("psql") or str(cluster.server.bindir / "psql")
    raise typer.Exit(subprocess.call([psql, *cluster.psql_args(LOCAL_DATABASE)]))


def main() -> None:
    # SIGTERM (a CI runner cancelling) unwinds like Ctrl-C, so ephemeral clusters are removed.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        app(args=_default_targets_file(sys.argv[1:]))
    except SchemaError as exc:
        typer.echo(f"error: {redact(str(exc))}", err=True)
        sys.exit(EXIT_ERROR)
    except Exception as exc:
        import psycopg

        kind = "database error" if isinstance(exc, psycopg.Error) else f"internal error ({type(exc).__name__})"
        first = (str(exc).strip().splitlines() or [""])[0]
        typer.echo(f"error: {kind}: {redact(first)}", err=True)
        if os.environ.get("SCHEMA_DEBUG"):
            raise
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
