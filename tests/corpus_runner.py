"""Every case of every corpus in `../shared/corpus`, run once: loaded, judged, planned, applied, judged again.

A case is `from.sql` -> `to.sql` (and `setup.sql`, loaded into both first). Run once per session and
kept (`CorpusRun`): the judge-vs-pg_dump test and the convergence test read the same outcome.

1. Load A (setup + from) and B (setup + to); the judge (`catalog.compare`) and a canonical pg_dump
   (tests/pgdump.py) each say whether A and B differ: they must agree. (Where no pg_dump of the
   server's major or newer is installed, the judge alone decides: `Outcome.dumped` is False.)
2. Plan A -> setup + to with the library (`build_plan`, which verifies on a scratch copy) and apply it.
3. Judge A against B again, and pg_dump them again: a plan that applied must leave no difference
   either sees ("silent" otherwise: the worst outcome there is). A plan refused with an error is
   "refused", with the error; that is honest, but it is not convergence.

Cases run in a few threads (each its own dev-server connection); the server does most of the work.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pglast
import psycopg
import yaml
from pgdump import can_dump, compare_databases
from psycopg import sql

from flatrender_schema import catalog
from flatrender_schema.apply import ApplyOptions, apply_plan
from flatrender_schema.desired import load_plain
from flatrender_schema.engine import get_engine
from flatrender_schema.errors import SchemaError
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.postgres.cluster import find_servers
from flatrender_schema.postgres.connect import connect, with_dbname
from flatrender_schema.scratch import DevServer
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

CONVERGED = "converged"
REFUSED = "refused"
SILENT = "silent"  # the plan applied, yet a judge sees a difference
NOT_LOADED = "not loaded"
CRASHED = "crashed"  # the tool raised something other than its own error


@dataclass(frozen=True)
class Case:
    corpus: str
    name: str
    folder: Path

    @property
    def id(self) -> str:
        return f"{self.corpus}/{self.name}"

    def files(self, side: str) -> list[Path]:
        setup = self.folder / "setup.sql"
        return ([setup] if setup.is_file() else []) + [self.folder / side]


@dataclass
class Outcome:
    case: Case
    status: str = ""
    error: str = ""
    # Loaded states: did each judge find A and B different?
    judge_loaded: bool | None = None
    dump_loaded: bool | None = None
    loaded_rows: list[str] = field(default_factory=list)  # what the disagreeing side saw
    # After the plan was applied (converged or silent only).
    judge_after: list[str] = field(default_factory=list)
    dump_after: list[str] = field(default_factory=list)
    seconds: float = 0.0
    dumped: bool = True  # False: no pg_dump for the server's major, the judge alone decided

    @property
    def loaded_agree(self) -> bool:
        return self.judge_loaded is None or self.dump_loaded is None or self.judge_loaded == self.dump_loaded

    def describe(self) -> str:
        lines = [f"{self.case.id}: {self.status}" + (f": {self.error}" if self.error else "")]
        lines += [f"  loaded: {r}" for r in self.loaded_rows[:12]]
        lines += [f"  after apply (judge): {r}" for r in self.judge_after[:12]]
        lines += [f"  after apply (pg_dump): {r}" for r in self.dump_after[:12]]
        return "\n".join(lines)


def discover(corpus_root: Path) -> list[Case]:
    cases = []
    for corpus in sorted(p for p in corpus_root.iterdir() if p.is_dir()) if corpus_root.is_dir() else []:
        for folder in sorted(p for p in corpus.iterdir() if p.is_dir() and (p / "to.sql").is_file()):
            cases.append(Case(corpus.name, folder.name, folder))
    return cases


def sample(cases: list[Case], per_corpus: int, seed: str = "flatrender-corpus") -> list[Case]:
    """A seeded sample: all of a corpus smaller than `per_corpus`, else `per_corpus` of its cases."""
    out = []
    for corpus in sorted({c.corpus for c in cases}):
        mine = [c for c in cases if c.corpus == corpus]
        if len(mine) > per_corpus:
            mine = sorted(random.Random(seed).sample(mine, per_corpus), key=lambda c: c.id)
        out += mine
    return out


def load_files(conn: psycopg.Connection, files: Iterable[Path]) -> str | None:
    """Run SQL files statement by statement, as psql does (CONCURRENTLY cannot run in a transaction)."""
    for path in files:
        text = path.read_text()
        for statement in pglast.split(text, with_parser=False) if text.strip() else []:
            try:
                conn.execute(statement.encode())
            except psycopg.Error as exc:
                return f"{path.name}: {(exc.diag.message_primary or str(exc)).strip()}"
    return None


class CorpusRun:
    """Runs cases on one server (`url`, a superuser's) and keeps their outcomes."""

    def __init__(self, url: str, today: object, workers: int = 2) -> None:
        self.url = url
        self.today = today
        self.workers = workers
        self.outcomes: dict[str, Outcome] = {}
        self._local = threading.local()
        self._devs: list[DevServer] = []
        self._lock = threading.Lock()
        self._prepared: set[str] = set()
        self.wall_seconds = 0.0
        self.major = 0  # the server's, read when the first cases run

    def _dev(self) -> DevServer:
        dev = getattr(self._local, "dev", None)
        if dev is None:
            dev = self._local.dev = DevServer(self.url)
            with self._lock:
                self._devs.append(dev)
        return dev

    def _global_setup(self, case: Case) -> None:
        with self._lock:
            if case.corpus in self._prepared:
                return
            setup = case.folder.parent / "_global_setup.sql"
            if setup.is_file():
                with connect(self.url, autocommit=True) as admin:
                    admin.execute(setup.read_text().encode())
            self._prepared.add(case.corpus)

    def run(self, cases: list[Case], progress: bool = False) -> None:
        todo = [c for c in cases if c.id not in self.outcomes]
        if not self.major:
            with connect(self.url) as conn:
                self.major = conn.info.server_version // 10000
        for case in todo:
            self._global_setup(case)
        started = time.monotonic()
        with ThreadPoolExecutor(self.workers, thread_name_prefix="corpus") as pool:
            for i, outcome in enumerate(pool.map(self._run_one, todo), 1):
                self.outcomes[outcome.case.id] = outcome
                if progress and i % 100 == 0:
                    print(f"corpus: {i}/{len(todo)} cases in {time.monotonic() - started:.0f} s", flush=True)
        self.wall_seconds += time.monotonic() - started

    def close(self) -> None:
        for dev in self._devs:
            dev.close()

    def _run_one(self, case: Case) -> Outcome:
        outcome = Outcome(case)
        started = time.perf_counter()
        names: list[str] = []
        try:
            with connect(self.url, autocommit=True) as admin:
                try:
                    self._judge_case(case, outcome, admin, names)
                finally:
                    for name in names:
                        admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        except Exception as exc:  # the runner must record every case, whatever it raised
            outcome.status, outcome.error = CRASHED, f"{type(exc).__name__}: {exc}"[:2000]
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _database(self, admin: psycopg.Connection, names: list[str], purpose: str) -> str:
        name = f"corpus_{purpose}_{secrets.token_hex(4)}"
        admin.execute(sql.SQL("create database {} template template0").format(sql.Identifier(name)))
        names.append(name)
        return with_dbname(self.url, name)

    def _judge_case(self, case: Case, outcome: Outcome, admin: psycopg.Connection, names: list[str]) -> None:
        a_url, b_url = self._database(admin, names, "a"), self._database(admin, names, "b")
        with connect(a_url, autocommit=True) as a, connect(b_url, autocommit=True) as b:
            for conn, side in ((a, "from.sql"), (b, "to.sql")):
                reason = load_files(conn, case.files(side))
                if reason:
                    outcome.status, outcome.error = NOT_LOADED, reason
                    return
            major = a.info.server_version // 10000
            judge = catalog.compare(*(catalog.read_snapshot(c, ALWAYS_EXCLUDED) for c in (a, b)))
            outcome.dumped = can_dump(major)
            dump = compare_databases(a_url, b_url, major) if outcome.dumped else None
            outcome.judge_loaded, outcome.dump_loaded = bool(judge), (bool(dump) if outcome.dumped else None)
            if not outcome.loaded_agree:
                outcome.loaded_rows = dump.describe() if dump else judge[:12]
            try:
                plan = build_plan(a, load_plain(case.files("to.sql")), self._dev(), get_engine(),
                                  PlanOptions(self.today))  # type: ignore[arg-type]
                apply_plan(a, plan, ApplyOptions(frozenset({"all"})))
            except SchemaError as exc:
                outcome.status, outcome.error = REFUSED, str(exc)[:2000]
                return
            outcome.judge_after = catalog.compare(*(catalog.read_snapshot(c, ALWAYS_EXCLUDED) for c in (a, b)))
            outcome.dump_after = compare_databases(a_url, b_url, major).describe() if outcome.dumped else []
            outcome.status = SILENT if outcome.judge_after or outcome.dump_after else CONVERGED


def summary_line(run: CorpusRun) -> str:
    """The counts of a run, per corpus, on one line: what the test summaries print."""
    parts = []
    for corpus in sorted({o.case.corpus for o in run.outcomes.values()}):
        mine = [o for o in run.outcomes.values() if o.case.corpus == corpus]
        loaded = [o for o in mine if o.status != NOT_LOADED]
        status = Counter(o.status for o in mine)
        if all(o.dumped for o in loaded):
            agree = sum(o.loaded_agree and o.status != SILENT for o in loaded)
            judged = f"judge agrees with pg_dump on {agree}/{len(loaded)}"
        else:
            judged = f"no pg_dump for PostgreSQL {run.major}: judged by the catalog only"
        parts.append(
            f"{corpus}: {judged}; converged {status[CONVERGED]}/{len(mine)}, refused {status[REFUSED]}, "
            f"silent {status[SILENT]}, internal errors {status[CRASHED]}, not loaded {status[NOT_LOADED]}; "
            f"median {statistics.median(o.seconds for o in mine):.2f} s a case"
        )
    return (f"corpora (PostgreSQL {run.major}, {len(run.outcomes)} cases in {run.wall_seconds:.0f} s, "
            f"{run.workers} workers): " + " | ".join(parts))


KNOWN_FAILURES = Path(__file__).parent / "corpus" / "known_failures.yaml"
KNOWN_FAILURES_BY_MAJOR = Path(__file__).parent / "corpus" / "known_failures_by_major.yaml"


def known_failures(major: int) -> dict[str, str]:
    """Cases refused on `major` (strict xfails), with their reason: those of every major
    (known_failures.yaml) and those of this one (known_failures_by_major.yaml, reasons prefixed)."""
    def read(path: Path) -> dict:
        return dict(yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}

    out = {case: str(reason) for case, reason in read(KNOWN_FAILURES).items()}
    for case, reason in (read(KNOWN_FAILURES_BY_MAJOR).get(major) or {}).items():
        out[case] = f"PostgreSQL {major}: {reason}"
    return out


def session_major() -> int:
    """The session cluster's major, as tests/conftest.py picks it: SCHEMA_TEST_PG_MAJOR, else the oldest found."""
    if os.environ.get("SCHEMA_TEST_PG_MAJOR"):
        return int(os.environ["SCHEMA_TEST_PG_MAJOR"])
    servers = find_servers()
    return servers[0].major if servers else 15


def workers_default() -> int:
    return int(os.environ.get("SCHEMA_CORPUS_WORKERS", "3"))
