"""No internal error reaches a user: corpus cases through the real CLI (`schema plan` / `schema apply --desired`).

- A seeded sample of `../shared/corpus` (a sample other than test_corpora.py's; SCHEMA_CORPUS_CLI_SAMPLE
  cases of each corpus, 1 by default, 6 under CI=true): `plan` then `apply` on a database loaded with from.sql. Neither
  may print "internal error" or a traceback; apply converges (judged by the catalog against to.sql
  loaded), or both refuse with the same clear error.
- Cases the tool cannot plan, where the engine or a gap concern raises (tests/cases/cannot_plan/*,
  expect.yaml): both commands exit 1 with "cannot plan <objects>: <what failed>", naming the objects,
  and apply changes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from conftest import SHARED, TODAY, Databases, run_cli
from corpus_runner import Case, discover, load_files, sample

from flatrender_schema import catalog
from flatrender_schema.postgres.connect import connect
from flatrender_schema.tool_schema import ALWAYS_EXCLUDED

CANNOT_PLAN = Path(__file__).parent / "cases" / "cannot_plan"
_FORBIDDEN = ("internal error", "Traceback (most recent call last)")


def _sample() -> list[Case]:
    default = "6" if os.environ.get("CI") == "true" else "1"
    per_corpus = int(os.environ.get("SCHEMA_CORPUS_CLI_SAMPLE", default))
    return sample(discover(SHARED / "corpus"), per_corpus, seed="flatrender-corpus-cli")


SAMPLE = _sample()


def _cli(command: str, files: list[Path], url: str, dev_url: str) -> tuple[int, str]:
    args = [command, *(["--yes", "--allow-hazard", "all"] if command == "apply" else [])]
    for path in files:
        args += ["--desired", str(path)]
    r = run_cli(*args, "--database-url", url, "--dev-url", dev_url, "--now", TODAY.isoformat())
    output = r.stdout + r.stderr
    for bad in _FORBIDDEN:
        assert bad not in output, f"`schema {command}` printed {bad!r}:\n{output[-3000:]}"
    return r.returncode, output


def _snapshot(url: str) -> catalog.Snapshot:
    with connect(url) as conn:
        return catalog.read_snapshot(conn, ALWAYS_EXCLUDED)


def _global_setup(server_url: str, corpus_dir: Path) -> None:
    setup = corpus_dir / "_global_setup.sql"
    if setup.is_file():
        with connect(server_url, autocommit=True) as admin:
            admin.execute(setup.read_text().encode())


@pytest.mark.parametrize("case", SAMPLE, ids=[c.id for c in SAMPLE])
def test_corpus_case_through_the_cli(case: Case, dbs: Databases, server_url: str) -> None:
    _global_setup(server_url, case.folder.parent)
    a_url, b_url = dbs.create("cli_from"), dbs.create("cli_to")
    for url, side in ((a_url, "from.sql"), (b_url, "to.sql")):
        with connect(url, autocommit=True) as conn:
            reason = load_files(conn, case.files(side))
        if reason:
            pytest.skip(f"{case.id} does not load: {reason}")
    desired, before = case.files("to.sql"), _snapshot(a_url)
    plan_code, plan_out = _cli("plan", desired, a_url, server_url)
    apply_code, apply_out = _cli("apply", desired, a_url, server_url)
    assert plan_code in (0, 1, 2), plan_out[-3000:]  # no changes, an error, changes
    if plan_code == 1:  # refused: honestly, and the same way both times
        assert plan_code == apply_code == 1 and "error: " in plan_out, plan_out[-3000:]
        assert catalog.equal(_snapshot(a_url), before), "a refused apply changed the database"
        return
    assert apply_code == 0, apply_out[-3000:]
    diff = catalog.compare(_snapshot(a_url), _snapshot(b_url))
    assert not diff, "\n".join(diff[:20])


def _cannot_plan_cases() -> list[Path]:
    return sorted(p for p in CANNOT_PLAN.iterdir() if (p / "expect.yaml").is_file()) if CANNOT_PLAN.is_dir() else []


def test_cannot_plan_cases_are_present() -> None:
    assert _cannot_plan_cases(), f"no case under {CANNOT_PLAN}"


@pytest.mark.parametrize("folder", _cannot_plan_cases(), ids=lambda p: p.name)
def test_cannot_plan_names_the_objects(folder: Path, dbs: Databases, server_url: str) -> None:
    expect = yaml.safe_load((folder / "expect.yaml").read_text())
    a_url = dbs.create("cannot_plan")
    with connect(a_url, autocommit=True) as conn:
        assert load_files(conn, [folder / "from.sql"]) is None
    before = _snapshot(a_url)
    for command in ("plan", "apply"):
        code, output = _cli(command, [folder / "to.sql"], a_url, server_url)
        assert code == 1, output[-3000:]
        assert f"error: cannot plan {expect['objects']}: {expect['failed']}" in output, output[-3000:]
    assert catalog.equal(_snapshot(a_url), before), "a refused apply changed the database"
