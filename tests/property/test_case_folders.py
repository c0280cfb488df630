"""Every kept case folder converges both ways: tests/cases/<area>/<case>/{from.sql,to.sql[,case.yaml]}.
Under CI=true every folder; by default a seeded sample of SAMPLE_SIZE, plus every strict xfail (the
default run's 15-minute budget: the folders also run in their area's own tests).

Generic over areas: any folder with from.sql and to.sql is a case, named `<area>/<case>`; adding a
case adds files, not code. Each side is loaded, its tables emptied (rows are not judged here), then
from -> to and to -> from are planned, applied and judged by `catalog.compare`.

case.yaml keys read here (others belong to the area's own runner and are ignored):
  roles: [name, ...]     cluster roles the SQL grants to; created if missing, dropped after if created
  xfail: "<reason>"      a known tool bug: the case must fail (strict), and passes loudly once fixed
  converge: false        this area's case is not a convergence case (skipped here)
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from convergence import converge_both_ways, drop_roles, ensure_roles

from flatrender_schema.scratch import DevServer

CASES_ROOT = Path(__file__).resolve().parents[1] / "cases"


def _folders() -> list[Path]:
    if not CASES_ROOT.is_dir():
        return []
    return sorted(p.parent for p in CASES_ROOT.glob("*/*/from.sql") if (p.parent / "to.sql").is_file())


def _meta(folder: Path) -> dict[str, Any]:
    path = folder / "case.yaml"
    data = yaml.safe_load(path.read_text()) if path.is_file() else None
    return data if isinstance(data, dict) else {}


EVERYTHING = os.environ.get("CI", "").lower() == "true"
SAMPLE_SIZE, SEED = 30, 15


def _chosen() -> list[Path]:
    folders = _folders()
    if EVERYTHING or len(folders) <= SAMPLE_SIZE:
        return folders
    known = [f for f in folders if _meta(f).get("xfail")]
    rest = [f for f in folders if f not in known]
    return sorted(known + random.Random(SEED).sample(rest, SAMPLE_SIZE))


def _params() -> list[Any]:
    out = []
    for folder in _chosen():
        meta = _meta(folder)
        marks = []
        if meta.get("converge") is False:
            marks.append(pytest.mark.skip(reason="not a convergence case (converge: false)"))
        elif meta.get("xfail"):
            marks.append(pytest.mark.xfail(reason=str(meta["xfail"]), strict=True))
        out.append(pytest.param(folder, marks=marks, id=f"{folder.parent.name}/{folder.name}"))
    return out


@pytest.fixture(scope="module")
def case_dev(server_url: str) -> Iterator[DevServer]:
    with DevServer(server_url) as dev:
        yield dev


def test_property_cases_are_present() -> None:
    assert any(f.parent.name == "property" for f in _folders()), f"no case under {CASES_ROOT / 'property'}"


@pytest.mark.parametrize("folder", _params())
def test_case_converges_both_ways(folder: Path, server_url: str, case_dev: DevServer) -> None:
    meta = _meta(folder)
    created = ensure_roles(server_url, meta.get("roles") or [])
    try:
        outcomes = converge_both_ways(
            server_url, case_dev, (folder / "from.sql").read_text(), (folder / "to.sql").read_text()
        )
    finally:
        drop_roles(server_url, created)
    failed = [o for o in outcomes if not o.ok]
    assert not failed, "\n".join(o.describe() for o in failed)
