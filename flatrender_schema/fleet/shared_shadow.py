"""One shadow for a whole fleet: built once on the run's dev server, each plan working on a copy.

The planner keeps a cached shadow on a persistent dev server (`PlanOptions(reuse_shadow=True)`) and,
when a plan has changes, does its scratch work on that shadow inside a transaction it rolls back.
Plans running side by side must not share that database: their transactions would alter the same
tables and wait for (or deadlock on) each other. So each plan of a fleet gets its own file copy of
the one shadow, which carries the snapshot and inspection kept with it: the desired state is built
and read once per run, a copy costs a fraction of a second.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator

import psycopg

from flatrender_schema import catalog
from flatrender_schema.engine import Engine
from flatrender_schema.scratch import DevServer
from flatrender_schema.shadow_cache import remembered
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED


class FleetShadows:
    """The run's dev server and the shadows built on it, shared by every worker thread."""

    def __init__(self, dev: DevServer, engine: Engine, keep: bool = False) -> None:
        self.dev = dev
        self.engine = engine
        self.keep = keep  # leave the shadows this run built on the dev server (as --reuse-shadow does)
        self._lock = threading.Lock()  # the dev server's admin connection, and first builds, one at a time
        self._found: dict[str, str] = {}  # cache key -> database name
        self._built: list[str] = []  # the databases this run built

    @property
    def url(self) -> str:
        return self.dev.url

    def ensure_roles(self, names: Iterable[str]) -> None:
        # Roles are cluster-wide and kept with the cached shadows: created once, by the run's server
        # object, dropped when the run ends.
        with self._lock:
            self.dev.ensure_roles(names)

    def shadow(self, purpose: str, key: str, build: Callable[[psycopg.Connection], None]) -> str:
        """The name of the cached shadow for `key`, built by the first worker that needs it while the
        others wait; what every plan reads from it is read then, once, and kept with it."""
        built: list[bool] = []

        def build_once(conn: psycopg.Connection) -> None:
            build(conn)
            built.append(True)

        with self._lock:
            if key not in self._found:
                with self.dev.cached_database(purpose, key, build_once) as conn:
                    self._remember(conn)
                    self._found[key] = conn.info.dbname
                if built:
                    self._built.append(self._found[key])
            return self._found[key]

    def close(self) -> None:
        """Drop the shadows this run built, unless they are to be kept."""
        if not self.keep:
            for name in self._built:
                self.dev.drop_database(name)
        self._built.clear()

    def _remember(self, conn: psycopg.Connection) -> None:
        # The same entries the planner looks up (a name it stopped using is only computed again).
        remembered(conn, "snapshot", catalog.Snapshot, lambda: catalog.read_snapshot(conn, ALWAYS_EXCLUDED))
        remembered(conn, "inspection", self.engine.inspection_type, lambda: self.engine.inspect(conn), self.engine.name)


class WorkerDevServer(DevServer):
    """One plan's view of the fleet's dev server: its own admin connection and scratch databases,
    the fleet's roles, and a private copy of the fleet's shadow where the planner asks for the cache."""

    def __init__(self, shadows: FleetShadows) -> None:
        super().__init__(shadows.url)
        self.shadows = shadows

    def ensure_roles(self, names: Iterable[str]) -> None:
        self.shadows.ensure_roles(names)

    @contextlib.contextmanager
    def cached_database(
        self, purpose: str, key: str, build: Callable[[psycopg.Connection], None]
    ) -> Iterator[psycopg.Connection]:
        template = self.shadows.shadow(purpose, key, build)
        with self.database(f"{purpose}_copy", template) as conn:
            yield conn
