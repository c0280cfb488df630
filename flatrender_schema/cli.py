"""The `schema` command: a thin shell over the library. Parse, call, render, map to exit codes."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated, NoReturn

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


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    show = sys.stderr.isatty() and not os.environ.get("CI") and not quiet

    def report(message: str) -> None:
        if show:
            typer.echo(f"… {message}", err=True)

    return report


def _load(schema_dir: Path, desired: list[Path] | None):  # type: ignore[no-untyped-def]
    from flatrender_schema.desired import load_desired, load_plain

    return load_plain(desired) if desired else load_desired(schema_dir)


def _make_plan(
    schema_dir: Path,
    database_url: str | None,
    dev_url: str | None,
    desired: list[Path] | None,
    engine: str,
    now: str | None,
    quiet: bool = False,
    reuse_shadow: bool = False,
):  # type: ignore[no-untyped-def]
    from flatrender_schema.citus.shadow import dev_settings as citus_dev_settings
    from flatrender_schema.engine import get_engine
    from flatrender_schema.planner import PlanOptions, build_plan
    from flatrender_schema.postgres.connect import connection
    from flatrender_schema.targets import dev_server, resolve_target

    state = _load(schema_dir, desired)
    chosen = get_engine(engine)
    url = resolve_target(database_url, Path.cwd())
    with connection(url, autocommit=True) as live:
        major = live.info.server_version // 10000
        with dev_server(dev_url, major, citus_dev_settings(state, major)) as dev:  # Citus: citus/shadow.py
            plan = build_plan(
                live, state, dev, chosen, PlanOptions(_today(now), reuse_shadow=reuse_shadow), _progress(quiet)
            )
    return plan, url


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
) -> None:
    """Show what would change: desired state vs the live database. Exit 0 no changes, 2 changes, 1 error."""
    from flatrender_schema.render import RENDERERS

    if fmt not in RENDERERS:
        _fail(SchemaError(f"--format must be one of {', '.join(RENDERERS)}"))
    try:
        the_plan, _ = _make_plan(schema_dir, database_url, dev_url, desired, engine, now, reuse_shadow=reuse_shadow)
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
) -> None:
    """Converge the live database to the desired state. Exit 0 converged, 1 refused or failed."""
    from flatrender_schema.apply import ApplyOptions, apply_lock, apply_plan
    from flatrender_schema.citus.shadow import dev_settings as citus_dev_settings
    from flatrender_schema.engine import get_engine
    from flatrender_schema.plan import Plan
    from flatrender_schema.planner import PlanOptions, build_plan
    from flatrender_schema.postgres.connect import connection
    from flatrender_schema.render import render_text
    from flatrender_schema.targets import dev_server, resolve_target

    options = ApplyOptions(
        allow_hazards=frozenset(allow_hazard or ()),
        lock_timeout=lock_timeout,
        statement_timeout=statement_timeout,
        lock_retries=lock_retries,
        apply_lock_wait=lock_wait,
        actor=actor,
        dry_run=dry_run,
    )
    progress = _progress(False)
    try:
        state = _load(schema_dir, desired)
        chosen = get_engine(engine)
        given = Plan.from_json(plan_file.read_text(encoding="utf-8"), str(plan_file)) if plan_file else None
        if given is not None and given.desired_fingerprint != state.fingerprint() and not ignore_desired_mismatch:
            _fail(
                SchemaError(
                    f"{plan_file}: the plan was made from other schema files than the ones checked out here",
                    hint="plan again from these files, or pass --ignore-desired-mismatch",
                )
            )
        url = resolve_target(database_url, Path.cwd())
        with connection(url, autocommit=True) as live:
            major = live.info.server_version // 10000
            with dev_server(dev_url, major, citus_dev_settings(state, major)) as dev, apply_lock(live, lock_wait):
                # Planning under the apply lock: a concurrent apply finishes first, and this one then
                # finds nothing (or only what is left) to do.
                the_plan = given or build_plan(
                    live, state, dev, chosen, PlanOptions(_today(now), reuse_shadow=reuse_shadow), progress
                )
                typer.echo(render_text(the_plan))
                if the_plan.empty:
                    raise typer.Exit(EXIT_OK)
                if not yes and given is None and not dry_run and sys.stdin.isatty():
                    if not typer.confirm("Apply these changes?", default=False):
                        typer.echo("Nothing applied.")
                        raise typer.Exit(EXIT_ERROR)
                result = apply_plan(live, the_plan, options, progress)
                if dry_run:
                    slow = ", ".join(f"step {n} {sec:.2f} s" for n, sec in result.step_seconds[:3])
                    typer.echo(f"Dry run: all {result.steps_done} steps ran and were rolled back. Slowest: {slow}.")
                    raise typer.Exit(EXIT_OK)
                retried = f" ({result.retries} lock retries)" if result.retries else ""
                typer.echo(f"Applied {result.steps_done} steps{retried}.")
                after = build_plan(live, state, dev, chosen, PlanOptions(_today(now), reuse_shadow=reuse_shadow))
                if not after.empty:
                    _fail(SchemaError(f"apply did not converge; still pending:\n{render_text(after)}"))
        typer.echo("Converged: the database matches the desired state.")
    except (SchemaError, OSError) as exc:
        _fail(exc)


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
        app()
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
