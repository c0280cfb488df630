"""Progress on a terminal: the phase a plan or apply is in, and for how long, once the work passes a second.

The planner and apply report each phase as a message (`progress(message)`); this turns them into one
status line on stderr, rewritten in place while the phase runs and kept, with its time, when the next
begins. Nothing at all when stderr is not a terminal, under CI, or when the work ends within a second.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

# The planner's messages, by their start, as the phases a reader knows.
PHASES: tuple[tuple[str, str], ...] = (
    ("building the desired state", "shadow"),
    ("reading live", "reading live"),
    ("diffing live", "diff"),
    ("copying the live schema", "copy of live"),
    ("planning on a file copy", "copy of live"),
    ("closing the gaps", "gap layer"),
    ("verifying", "verify"),
    ("live already matches", "compare"),
)
SHOW_AFTER = 1.0  # seconds of work before anything is shown
TICK = 0.2  # seconds between rewrites of the status line
KEEP = 0.5  # a finished phase stays on screen when it took this long (apply's many quick steps do not)


def phase_name(message: str) -> str:
    """The phase a message starts; any other message (a retry, a fallback, an apply step) is its own."""
    for prefix, name in PHASES:
        if message.startswith(prefix):
            return name
    return message


def wanted(stream: TextIO, env: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """A person watching: a terminal, not CI, not a dumb terminal."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and not env.get("CI") and env.get("TERM") != "dumb"


def _symbols(stream: TextIO) -> tuple[str, str]:
    try:
        "…✓".encode(getattr(stream, "encoding", None) or "ascii")
    except (LookupError, UnicodeEncodeError):
        return "...", "done:"
    return "…", "✓"


class TerminalProgress:
    """`with TerminalProgress(sys.stderr) as progress: build_plan(..., progress)`; a no-op when not `wanted`."""

    def __init__(self, stream: TextIO, enabled: bool | None = None, show_after: float = SHOW_AFTER,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.enabled = wanted(stream) if enabled is None else enabled
        self.show_after = show_after
        self.clock = clock
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = clock()
        self._phase: str | None = None
        self._phase_started = self._started
        self._shown = False  # the current phase's line is on screen
        self._running, self._done = _symbols(stream)

    def __enter__(self) -> TerminalProgress:
        if self.enabled:
            self._started = self._phase_started = self.clock()
            self._thread = threading.Thread(target=self._tick, name="progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        with self._lock:
            self._finish_line()

    def __call__(self, message: str) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._finish_line()
            self._phase = phase_name(message)
            self._phase_started = self.clock()
            if self.clock() - self._started >= self.show_after:
                self._draw()

    def _tick(self) -> None:
        while not self._stop.wait(TICK):
            with self._lock:
                if self._phase is not None and self.clock() - self._started >= self.show_after:
                    self._draw()

    def _draw(self) -> None:
        now = self.clock()
        line = f"{self._running} {self._phase} {now - self._phase_started:.1f} s  (total {now - self._started:.1f} s)"
        width = shutil.get_terminal_size((80, 24)).columns - 1
        self.stream.write("\r\033[K" + line[:width])
        self.stream.flush()
        self._shown = True

    def _finish_line(self) -> None:
        """Keep the finished phase on screen with its time, on a line of its own."""
        if not self._shown:
            return
        took = self.clock() - self._phase_started
        kept = f"{self._done} {self._phase} {took:.1f} s\n" if took >= KEEP else ""
        self.stream.write("\r\033[K" + kept)
        self.stream.flush()
        self._shown = False
