"""The catalog areas, one module each (`AREA = Area(...)`); `load()` registers them all, once."""

from __future__ import annotations

import importlib
import pkgutil

from flatrender_schema.catalog.area import AREAS, Area, register


def load() -> dict[str, Area]:
    if not AREAS:
        for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            register(importlib.import_module(f"{__name__}.{mod.name}").AREA)
    return AREAS
