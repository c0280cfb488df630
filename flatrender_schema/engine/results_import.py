"""Importing `results` without its slow start.

results' `resource_text` (17 calls when `results.schemainspect.pg.obj` is imported, one per SQL
file) finds its caller's package with `inspect.stack()`, which reads the source of every frame on
the stack: 0.26 s of each `schema plan`. Its helper module is loaded first here, with that lookup
answered from the frames' globals instead; the answer is the same.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import FrameType

_MISC = "results.schemainspect.misc"


def _caller_package() -> str:
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__")
        if name != _MISC:
            return str(frame.f_globals.get("__package__") or name)
        frame = frame.f_back
    return _MISC


def prepare() -> None:
    """Call before the first import of `results.schemainspect` (later calls do nothing)."""
    if _MISC in sys.modules or "results.schemainspect" in sys.modules:
        return
    import results  # the top package only: psycopg, which is loaded anyway

    spec = importlib.util.spec_from_file_location(_MISC, Path(results.__file__).parent / "schemainspect" / "misc.py")
    if spec is None or spec.loader is None:
        return  # a layout we do not know: the slow path still works
    misc = importlib.util.module_from_spec(spec)
    sys.modules[_MISC] = misc
    spec.loader.exec_module(misc)
    if hasattr(misc, "external_caller_package"):
        misc.external_caller_package = _caller_package
    import results.schemainspect

    results.schemainspect.misc = misc  # what a normal import sets; results reads it as an attribute
